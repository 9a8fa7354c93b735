from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock


class AuditEvent(models.Model):
    """One row per write outside the ticket event log (directory imports, account changes).

    Append-only: services create rows, nothing updates them.
    """

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    at = models.DateTimeField(_("at"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id}"


def audit(
    *, kind: str, actor, object_type: str = "", object_id: str | int = "", **data
) -> AuditEvent:
    """Append one audit row; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type=object_type,
        object_id=str(object_id),
        data=data,
    )


class Heartbeat(models.Model):
    """When a background loop last finished a pass, and what it did (health page)."""

    name = models.CharField(max_length=32, unique=True)
    last_run_at = models.DateTimeField()
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class AccessRecord(models.Model):
    """One view of a citizen's identity or phone (issue 14 item 4; 等保 8.1.4.3, 8.1.4.11).

    Append-only: the database refuses an UPDATE and a DELETE of a row younger than 180
    days (triggers in migration 0003), whatever the application does; each row carries an
    HMAC of its content (`core.access_log.digest`) so an edit made around the triggers is
    found by `access_log_verify`. No foreign keys: deleting a user changes nothing here.
    """

    at = models.DateTimeField(_("at"), default=clock.now, db_index=True)
    user_id = models.BigIntegerField(_("user id"), null=True, db_index=True)
    username = models.CharField(_("user"), max_length=150)
    role = models.CharField(_("role"), max_length=16, blank=True)
    what = models.CharField(_("what"), max_length=16)
    ticket_number = models.CharField(_("ticket"), max_length=20, blank=True, db_index=True)
    citizen_id = models.BigIntegerField(_("citizen id"), null=True, blank=True, db_index=True)
    page = models.CharField(_("page"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    digest = models.CharField(max_length=64, verbose_name=_("digest"))

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.what} {self.ticket_number} {self.at:%Y-%m-%d %H:%M}"
