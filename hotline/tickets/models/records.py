"""What the hotline keeps on a ticket besides the units' work: return visits,
submissions to the city leaders, attached files."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.numbering import next_in_series
from hotline.tickets.models.querysets import TicketPartQuerySet
from hotline.tickets.models.ticket import Ticket

USER = settings.AUTH_USER_MODEL


class Visit(models.Model):
    """A return visit (回访, R-FB-2), or a failed attempt at one.

    Three scores: `satisfaction` with the result, `unit_satisfaction` with the handling
    unit, `operator_satisfaction` with the hotline's operator (R-AS-3). `round` is 1 for
    the first completion and one more after each redo, so a redo's outcome replaces the
    earlier round's; `attempt` counts the calls within a round.
    """

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        WEB = "web", _("Web")

    class Outcome(models.TextChoices):
        DONE = "done", _("Visited")
        NO_ANSWER = "no_answer", _("No answer")
        POWERED_OFF = "powered_off", _("Phone switched off")
        REFUSED = "refused", _("Refused the visit")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="visits")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PHONE)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.DONE
    )
    satisfaction = models.CharField(max_length=12, choices=Satisfaction.choices, blank=True)
    unit_satisfaction = models.CharField(
        _("satisfaction with the unit"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    operator_satisfaction = models.CharField(
        _("satisfaction with the operator"),
        max_length=12,
        choices=Satisfaction.choices,
        blank=True,
    )
    resolved = models.BooleanField(null=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    # The last failed attempt of a round: the ticket counts as not visited (not satisfied).
    gave_up = models.BooleanField(_("not visited"), default=False)
    note = models.TextField(blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.satisfaction}"


class Submission(models.Model):
    """A submission form (呈批表) or special report (专报) to the city leaders about
    wide-impact matters; the leader's instruction (批示) then becomes the assignment,
    with the instruction's deadline (R-HM-6, LX 四2(4), 四3)."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Submission form")
        SPECIAL_REPORT = "special_report", _("Special report")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    tickets = models.ManyToManyField(Ticket, related_name="submissions")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    instruction = models.TextField(_("leader's instruction"), blank=True)
    instruction_days = models.PositiveSmallIntegerField(null=True, blank=True)
    instructed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instructed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("submission to leaders")
        verbose_name_plural = _("submissions to leaders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def take_number(cls, kind: str, at: datetime) -> str:
        """The next number of `kind` on the day of `at` (hotline time): CP20261204001 for
        a submission form (呈批), ZB… for a special report (专报), numbered by date like
        every paper the hotline sends up (R-DA-1, LX 四6). Taken from SubmissionCounter
        (core.numbering): call it inside the transaction that stores the submission."""
        series = "CP" if kind == cls.Kind.SUBMISSION else "ZB"
        day = timezone.localtime(at).date()
        sequence = next_in_series(SubmissionCounter, series=series, day=day)
        return f"{series}{day:%Y%m%d}{sequence:03d}"


class SubmissionCounter(models.Model):
    """Per-series, per-day sequence for submission numbers (`Submission.take_number`)."""

    series = models.CharField(_("series"), max_length=2)
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("submission counter")
        verbose_name_plural = _("submission counters")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "day"], name="tickets_submission_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.day:%Y%m%d} {self.last}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.ticket.received_at:%Y/%m}/{instance.ticket.number}/{filename}"


class Attachment(models.Model):
    """A file on a ticket. Evidence of a complaint is never shown to the unit or person
    complained about (KM 19)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    evidence = models.BooleanField(_("complaint evidence"), default=False)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    objects = TicketPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
