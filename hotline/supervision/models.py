"""Reminders (催办), automatic at the policy's lead times and by hand (R-SV-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock


class Reminder(models.Model):
    class Kind(models.TextChoices):
        AUTO = "auto", _("Automatic")
        MANUAL = "manual", _("By a supervisor")

    assignment = models.ForeignKey(
        "tickets.Assignment", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # For automatic reminders: the lead (working days before due) and the due moment it
    # was counted against; a new deadline (extension, redo) gets its own reminders.
    lead_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reply_due = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=clock.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-at"]
        constraints = [
            # The idempotency guarantee: one automatic reminder per lead and deadline.
            models.UniqueConstraint(
                fields=["assignment", "lead_days", "reply_due"],
                condition=models.Q(kind="auto"),
                name="supervision_auto_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind} {self.at:%Y-%m-%d}"
