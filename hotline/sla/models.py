"""Stored inputs of the pure deadline code: calendar entries and versioned policies.

The math lives in calendar.py / deadlines.py / policies.py and never touches these
models; selectors.py turns rows into the pure objects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.sla import policies, policy_json


class CalendarSource(models.TextChoices):
    OFFICIAL = "official", _("State Council schedule")
    OVERRIDE = "override", _("Local adjustment")


class CalendarDay(models.Model):
    """One date that differs from the weekend rule: an official entry or a local override."""

    day = models.DateField(_("date"))
    workday = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=50)
    source = models.CharField(_("source"), max_length=16, choices=CalendarSource.choices)
    created_at = models.DateTimeField(_("entered at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["day", "source"], name="sla_calendarday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class OfficialYear(models.Model):
    """A year whose whole official schedule an administrator entered (beyond chinesecalendar)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.CharField(_("notice"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered at"), default=clock.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        verbose_name = _("official year schedule")
        verbose_name_plural = _("official year schedules")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DeadlinePolicy(models.Model):
    """A named deadline policy; its content lives in immutable versions."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default for new tickets"), default=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="sla_policy_one_default",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PolicyVersion(models.Model):
    """One immutable version. Tickets point here; editing a policy adds a version."""

    policy = models.ForeignKey(
        DeadlinePolicy, on_delete=models.PROTECT, related_name="versions", verbose_name=_("policy")
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"))
    note = models.CharField(_("change note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="sla_policyversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"

    def as_policy(self) -> policies.Policy:
        """The parsed policy, memoised on this instance: a version never changes (editing a
        policy adds a version), and the sweeper asks for it once per assignment. A new
        `data` (assigned or reloaded) is parsed again."""
        memo = self.__dict__.get("_policy_memo")
        if memo is None or memo[0] is not self.data:
            memo = self.__dict__["_policy_memo"] = (self.data, policy_json.from_dict(self.data))
        return memo[1]
