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
