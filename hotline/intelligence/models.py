"""Trained models, versioned with their metrics (R-IN-3).

The model itself is a file under `settings.DATA_DIR / "models"`; the row says which file,
its checksum, how it was trained and how well it did. The newest active row of a kind is
the one served; a process notices a newer one without a restart (see `selectors`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock


class ModelVersion(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic classifier")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.PositiveIntegerField(_("version"))
    file = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    source = models.CharField(_("trained from"), max_length=500)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    labels = models.JSONField(_("labels"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    trained_at = models.DateTimeField(_("trained at"), default=clock.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="intelligence_model_number"),
        ]
        indexes = [models.Index(fields=["kind", "active", "number"])]

    def __str__(self) -> str:
        return f"{self.kind} v{self.number}"


class TicketSignature(models.Model):
    """One band key of one ticket's MinHash (see `hotline.intelligence.duplicates`).

    The ticket's day (days since 1970-01-01 UTC) and region are copied in, so "tickets of
    the last 90 days in this area sharing a band with this text" is one index range scan
    on (band_key, day). Written by the tick job and before lookups, never by hand.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    band = models.PositiveSmallIntegerField()
    band_key = models.BigIntegerField()
    day = models.IntegerField()
    region = models.ForeignKey(
        "directory.Unit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ticket signature")
        verbose_name_plural = _("ticket signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "band"], name="intelligence_signature_ticket_band"
            ),
        ]
        indexes = [models.Index(fields=["band_key", "day"], name="intelligence_sig_band_day")]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.band}"
