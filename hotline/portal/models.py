"""The citizen portal's own rows: SMS codes that prove a phone, rate-limit counters,
Open311 apps with their hashed keys, and the telephone system's missed calls.

No phone number is kept in clear here: codes and counters are keyed by a keyed hash
(HMAC with SECRET_KEY), so a leaked table does not list who asked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock

USER = settings.AUTH_USER_MODEL


class PhoneCode(models.Model):
    """One SMS code sent to prove a phone (stored hashed; expires; few tries)."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]} {self.created_at:%Y-%m-%d %H:%M}"


class Throttle(models.Model):
    """Hits of one (scope, hashed key) in one time window; a conditional UPDATE counts
    them, so every server process shares the same limits."""

    key = models.CharField(max_length=64)
    window = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("throttle")
        verbose_name_plural = _("throttles")
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="portal_throttle_once")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}@{self.window}: {self.hits}"


class Open311App(models.Model):
    """An app allowed to POST service requests through Open311 GeoReport v2; only the
    key's SHA-256 is stored, the key itself is shown once when issued."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(_("key starts with"), max_length=8)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued at"), default=clock.now)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("Open311 app")
        verbose_name_plural = _("Open311 apps")
        verbose_name = _("Open311 app")
        verbose_name_plural = _("Open311 apps")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Open311Request(models.Model):
    """Which app posted which online request (the app's service_request_id)."""

    app = models.ForeignKey(Open311App, on_delete=models.PROTECT, related_name="requests")
    request = models.OneToOneField(
        "channels.OnlineRequest", on_delete=models.CASCADE, related_name="open311"
    )

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"{self.app_id} {self.request_id}"


class MissedCall(models.Model):
    """A call the telephone system could not connect (漏话), waiting to be called back."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for call-back")
        REACHED = "reached", _("Called back")
        GIVEN_UP = "given_up", _("Given up")

    external_id = models.CharField(_("call id"), max_length=64, unique=True)
    phone = models.CharField(_("phone"), max_length=32)
    called_at = models.DateTimeField(_("called at"), db_index=True)
    line = models.CharField(_("line"), max_length=32, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    imported_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("missed call")
        verbose_name_plural = _("missed calls")
        verbose_name = _("missed call")
        verbose_name_plural = _("missed calls")
        ordering = ["called_at", "id"]
        indexes = [models.Index(fields=["state", "called_at"], name="missed_call_state")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.called_at:%Y-%m-%d %H:%M}"


class CallBack(models.Model):
    """One attempt to call a missed caller back, with its outcome."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        WRONG_NUMBER = "wrong_number", _("Wrong or empty number")

    missed_call = models.ForeignKey(MissedCall, on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(default=clock.now)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("call back")
        verbose_name_plural = _("call backs")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.missed_call_id} {self.outcome}"
