"""Emergencies recognised at intake and transferred to 110/119/120/122 (R-IN-4, ZS 13(一)),
and emergencies and risk events reported to the leaders and the government duty office
(总值班室) with acknowledgement and escalation (R-DA-5, ZS 25, KM 20)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock


class Service(models.TextChoices):
    """The emergency numbers a caller is transferred to (ZS 13(一))."""

    POLICE = "110", _("110 Police")
    FIRE = "119", _("119 Fire")
    AMBULANCE = "120", _("120 Ambulance")
    TRAFFIC = "122", _("122 Traffic accidents")


class EmergencyKeyword(models.Model):
    """A word or phrase that marks a call as an emergency while the operator types.

    The administrator keeps the list; an entry that is also a topic name matches when
    the topic classifier (if one is loaded) names that topic first."""

    word = models.CharField(_("keyword"), max_length=30, unique=True)
    service = models.CharField(_("transfer to"), max_length=3, choices=Service.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("emergency keyword")
        verbose_name_plural = _("emergency keywords")
        ordering = ["service", "word"]

    def __str__(self) -> str:
        return f"{self.word} → {self.service}"


class EmergencyReport(models.Model):
    """One emergency or risk event reported at once to the leaders and the duty office;
    until someone acknowledges it, the tick texts the next contact every N minutes."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency transferred to 110/119/120/122")
        MASS_INCIDENT = "mass_incident", _("Mass incident")
        SAFETY_HAZARD = "safety_hazard", _("Public-safety hazard")
        SUDDEN_EVENT = "sudden_event", _("Sudden event")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_reports",
    )
    service = models.CharField(
        _("transferred to"), max_length=3, choices=Service.choices, blank=True
    )
    summary = models.CharField(_("summary"), max_length=200)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=clock.now)
    # Who is texted, in order: [{"label", "name", "phone"}]; the first at once.
    ladder = models.JSONField(default=list, blank=True, verbose_name=_("ladder"))
    escalated = models.PositiveSmallIntegerField(_("contacts texted"), default=0)
    next_escalation_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("next escalation at")
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("emergency report")
        verbose_name_plural = _("emergency reports")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.summary}"
