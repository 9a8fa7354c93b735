"""Each unit's part in a ticket, the time that does not count against it, and the one
rule of who sees a ticket: a unit sees it through its part in it (`sees_ticket`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from hotline.accounts.permissions import Capability, can
from hotline.core import clock
from hotline.directory.selectors import unit_and_descendants
from hotline.sla.policies import Urgency
from hotline.tickets.models.choices import (
    MODE_CHOICES,
    URGENCY_CHOICES,
    AssignmentRole,
    WarningLevel,
)

if TYPE_CHECKING:
    from hotline.tickets.models.unit_work import Reply, UnitRequest

USER = settings.AUTH_USER_MODEL

# The inbox tabs' assignment states (workbench.queues), each with its own partial index.
INBOX_INDEXES = {
    "sign": ["dispatched"],
    "handling": ["handling", "return_review"],
    "working": ["dispatched", "handling", "return_review"],
    "replied": ["replied"],
}


Rows = TypeVar("Rows", bound=models.QuerySet)


def sees_ticket(user, ticket: str) -> Exists | bool:
    """The one rule of who sees which ticket (design rule 5), as a condition on the ticket
    that `ticket` names from the rows queried ("pk" on tickets, "ticket" or
    "assignment__ticket" on the rows of one): True for every ticket, False for none.

    Hotline staff see every ticket; a unit sees tickets assigned to it or its sub-units,
    except those it sent back once the return was approved: the ticket has moved on to
    another unit, and the caller's data with it (issue 14 item 6).

    A correlated EXISTS on each row's own ticket, never `ticket IN (every ticket the unit
    sees)`: a page about one ticket filters its rows by that ticket and the database
    checks only those rows (SQLite built the whole list first, ~64 ms a statement at
    100,000 tickets), and EXISTS gives no duplicate rows, unlike a join."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if can(user, Capability.VIEW_ALL_TICKETS):
        return True
    if not user.unit_id:
        return False
    return Exists(
        Assignment.objects.filter(ticket=OuterRef(ticket), unit_id__in=_units_of(user)).exclude(
            state=Assignment.State.RETURNED
        )
    )


def units_seen(user) -> list[int] | None:
    """The units whose tickets `user` sees under `sees_ticket` (None: every ticket): for
    narrowing a search inside an index before that rule decides (`units` of
    search.matching)."""
    scope = sees_ticket(user, "pk")
    if scope is True:
        return None
    return _units_of(user) if scope is not False else []


def _units_of(user) -> list[int]:
    """The user's unit and the units below it, read once for the user object: a page
    scopes several reads (its count, its rows, its tabs) and each asked for the unit
    tree again (three identical statements on the clerk's ticket list, issue 16). The
    request's user is loaded anew for every request, so the tree is as fresh as that."""
    memo = getattr(user, "_units_seen", None)
    if memo is None or memo[0] != user.unit_id:
        memo = (user.unit_id, unit_and_descendants(user.unit_id))
        user._units_seen = memo
    return memo[1]


def scoped_to_tickets(rows: Rows, user, ticket: str) -> Rows:
    """`rows` whose ticket (`ticket`, as in `sees_ticket`) `user` sees; who sees every
    ticket pays no sub-query."""
    condition = sees_ticket(user, ticket)
    if condition is True:
        return rows
    if condition is False:
        return rows.none()
    return rows.filter(condition)


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssignmentQuerySet:
        """The units' parts in the tickets `user` sees (`sees_ticket`)."""
        return scoped_to_tickets(self, user, "ticket")


class Assignment(models.Model):
    """One unit's part in one ticket, with its own deadlines (派单记录)."""

    Role = AssignmentRole

    class State(models.TextChoices):
        DISPATCHED = "dispatched", _("Awaiting signature")
        HANDLING = "handling", _("Handling")
        RETURN_REVIEW = "return_review", _("Send-back under review")
        REPLIED = "replied", _("Replied")
        RETURNED = "returned", _("Sent back")
        CLOSED = "closed", _("Closed")

    # Indexed with the unit and the state (Meta.indexes), not alone.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="subs"
    )
    mode = models.CharField(_("handling mode"), max_length=16, choices=MODE_CHOICES)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DISPATCHED, db_index=True
    )
    active = models.BooleanField(default=True)
    # The ticket's urgency, copied when the assignment is made (a ticket's urgency is set
    # at intake and never changes), so the inbox orders urgent first through an index of
    # the unit's open assignments instead of sorting them all through a join (issue 16).
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=URGENCY_CHOICES, default=Urgency.NORMAL.value
    )
    coordinated = models.BooleanField(
        _("named by coordination"),
        default=False,
        help_text=_("After a coordination decision the unit may not send it back (R-UN-2)."),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), default=clock.now)
    first_received_at = models.DateTimeField(_("first received at"), default=clock.now)
    clock_start = models.DateTimeField(_("deadline counts from"), default=clock.now)
    extra_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    handler = models.ForeignKey(
        USER,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sign_due = models.DateTimeField(_("sign by"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply by"), null=True, blank=True)
    return_until = models.DateTimeField(_("send back until"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # R-UN-4: the unit contacts the citizen within the policy's window after signing;
    # both kept by the services (assignment_sign, contact_record) for the response rate.
    contact_due = models.DateTimeField(_("contact the citizen by"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    # An approved carry-over (挂账): not overdue until the promised date (tickets.deadlines).
    carried_until = models.DateTimeField(_("carried over until"), null=True, blank=True)
    # Kept by the sweeper (hotline.supervision) so that finding due work is an index scan.
    warning = models.CharField(
        _("warning"),
        max_length=8,
        choices=WarningLevel.choices,
        default=WarningLevel.NORMAL,
        db_index=True,
    )
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dispatched_at", "id"]
        indexes = [
            # A ticket's assignments, and whether a unit sees it (`sees_ticket`) from the
            # index alone: a unit's search tests a thousand candidates this way (issue 16;
            # the heap visits were half the count's time).
            models.Index(fields=["ticket", "unit", "state"], name="assignment_ticket_unit"),
            models.Index(fields=["active", "reply_due"]),
            models.Index(fields=["unit", "active", "state"]),
            # The sweeper's claim (hotline.supervision.sweep._claim): only the
            # assignments it watches, in next_check_at order, so a batch is a range scan.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(active=True, state__in=["dispatched", "handling"]),
                name="tickets_assignment_due",
            ),
            # Each inbox tab in its order (workbench.queues): urgent first, then the reply
            # deadline, over the unit's open assignments only (issue 16).
            *[
                models.Index(
                    F("unit"),
                    F("urgency").desc(),
                    F("reply_due"),
                    F("id"),
                    condition=Q(active=True, state__in=states),
                    name=f"assignment_inbox_{tab}",
                )
                for tab, states in INBOX_INDEXES.items()
            ],
            # The "done" tab: the unit's finished part (a finished ticket's assignments are
            # all inactive), newest reply first, without the open work in front of it.
            models.Index(
                F("unit"),
                F("replied_at").desc(),
                F("id").desc(),
                condition=Q(active=False),
                name="assignment_inbox_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}→{self.unit_id} ({self.role})"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.ticket_id:
            self.urgency = self.ticket.urgency
        super().save(*args, **kwargs)

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD

    def approved_reply(self) -> Reply | None:
        """This unit's answer that its leader approved (R-UN-5), the latest if a redo
        brought a second one; None before one. Only the lead writes replies. Reads the
        prefetched replies when a page prefetched them."""
        return next((r for r in reversed(self.replies.all()) if r.is_approved), None)

    def pending_requests(self) -> list[UnitRequest]:
        """The unit's requests that await the hotline's decision, oldest first. Reads the
        prefetched requests when a page prefetched them."""
        return [r for r in self.requests.all() if r.is_pending()]

    def pending_request(self, kind: str) -> UnitRequest | None:
        """The unit's request of `kind` that awaits the hotline's decision, None if none
        (at most one: constraint tickets_one_pending_request_per_kind)."""
        return next((r for r in self.pending_requests() if r.kind == kind), None)


class AssignmentPause(models.Model):
    """Time that does not count against the unit: the hotline's review (R-DL-3, ZS 17)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=50)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.reason} {self.start:%Y-%m-%d %H:%M}"
