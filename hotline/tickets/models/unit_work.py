"""What a unit writes on its part: requests to the hotline, replies, contacts with the
citizen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.sla.policies import Urgency
from hotline.tickets.models.assignment import Assignment
from hotline.tickets.models.choices import URGENCY_CHOICES
from hotline.tickets.models.querysets import AssignmentPartQuerySet

USER = settings.AUTH_USER_MODEL


class UnitRequestQuerySet(AssignmentPartQuerySet):
    def pending(self, kind: str | None = None) -> UnitRequestQuerySet:
        """The requests that await the hotline's decision (`UnitRequest.is_pending`), of
        `kind` when given."""
        found = self.filter(decision=UnitRequest.Decision.PENDING)
        return found.filter(kind=kind) if kind else found


class UnitRequest(models.Model):
    """A unit asks the hotline: send back (退回, R-UN-2) or more time (延期, R-UN-3)."""

    class Kind(models.TextChoices):
        SEND_BACK = "send_back", _("Send back")
        EXTENSION = "extension", _("Extension")
        EXCLUSION = "exclusion", _("Exclusion from assessment")  # 剔除
        CARRY_OVER = "carry_over", _("Carry-over")  # 挂账

    class Category(models.TextChoices):
        """Why a ticket should not count in the unit's assessment (剔除)."""

        MALICIOUS = "malicious", _("Malicious caller")
        BEYOND_POLICY = "beyond_policy", _("Beyond policy after screening")
        FORCE_MAJEURE = "force_majeure", _("Force majeure")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    suggested_unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("extra working days"), null=True, blank=True)
    category = models.CharField(
        _("exclusion reason"), max_length=16, choices=Category.choices, blank=True
    )
    promised_date = models.DateField(_("promised completion date"), null=True, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    # The ticket's urgency, copied when the request is made, so the dispatcher's review
    # queues order urgent first through one partial index (issue 16).
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=URGENCY_CHOICES, default=Urgency.NORMAL.value
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = UnitRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit request")
        verbose_name_plural = _("unit requests")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                condition=models.Q(decision="pending"),
                name="tickets_one_pending_request_per_kind",
            ),
        ]
        indexes = [
            # Each review queue of the dispatcher (workbench.queues.visible_requests).
            models.Index(
                F("kind"),
                F("urgency").desc(),
                F("requested_at"),
                F("id"),
                condition=Q(decision="pending"),
                name="unitrequest_pending_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.decision}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.assignment_id:
            self.urgency = self.assignment.urgency
        super().save(*args, **kwargs)

    def is_pending(self, kind: str | None = None) -> bool:
        """Awaiting the hotline's decision (and of `kind`, when given): the one question
        every check of "a pending request of kind K" asks."""
        return self.decision == self.Decision.PENDING and kind in (None, self.kind)


class Reply(models.Model):
    """The unit's written answer; its leader approves it before it goes out (R-UN-5)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting the unit leader")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected by the unit leader")
        REFUSED = "refused", _("Refused by the hotline")
        WITHDRAWN = "withdrawn", _("Withdrawn by the handler")

    class Result(models.TextChoices):
        """How far the matter was resolved, in the unit's own words (R-UN-4, R-UN-5)."""

        RESOLVED = "resolved", _("Resolved")
        PARTLY = "partly", _("Partly resolved")
        UNRESOLVED = "unresolved", _("Not resolved")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="replies")
    # The assignment's unit and urgency, copied when the reply is written (neither changes
    # on an assignment), so the leader's approvals are read in order from one partial
    # index instead of sorting every waiting reply through a join (issue 16).
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=URGENCY_CHOICES, default=Urgency.NORMAL.value
    )
    text = models.TextField(_("reply"))
    points = models.JSONField(_("points answered"), default=list, blank=True)
    citizen_view = models.TextField(_("citizen's satisfaction or why none"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    result = models.CharField(
        _("handling result"), max_length=10, choices=Result.choices, blank=True
    )
    result_reason = models.TextField(_("why not (fully) resolved"), blank=True)
    written_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=clock.now)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = AssignmentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["written_at", "id"]
        indexes = [
            # The leader's approvals: the few submitted replies, not every reply ever.
            models.Index(
                fields=["assignment"],
                condition=Q(state="submitted"),
                name="reply_submitted",
            ),
            # The leader's approvals in their order (workbench.queues.replies_to_approve).
            models.Index(
                F("unit"),
                F("urgency").desc(),
                F("written_at"),
                F("id"),
                condition=Q(state="submitted"),
                name="reply_approval_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.state}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.assignment_id:
            self.unit_id = self.assignment.unit_id
            self.urgency = self.assignment.urgency
        super().save(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.state == self.State.APPROVED


class Contact(models.Model):
    """The unit's contact with the citizen while handling (R-UN-4, ZS 20(一))."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        VISIT = "visit", _("In person")
        OTHER = "other", _("Other")

    class Result(models.TextChoices):
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")
        REFUSED = "refused", _("Refused to talk")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("unit")
    )
    at = models.DateTimeField(_("contacted at"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = AssignmentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact with the citizen")
        verbose_name_plural = _("contacts with the citizen")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.at:%Y-%m-%d %H:%M} {self.result}"
