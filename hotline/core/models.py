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

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_at:%Y-%m-%d %H:%M:%S}"
