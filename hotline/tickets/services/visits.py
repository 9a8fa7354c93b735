"""After completion (R-FB): the return visit, redo and screening."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, can, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import DomainError, PermissionDenied
from hotline.sla.policies import ClockStart
from hotline.tickets import states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    Ticket,
    Visit,
)
from hotline.tickets.part_states import check_assignment
from hotline.tickets.services.common import (
    lead_of,
    move,
    refresh_deadlines,
)


def visit_record(
    *,
    actor,
    ticket: Ticket,
    satisfaction: str,
    resolved: bool,
    channel: str = Visit.Channel.PHONE,
    note: str = "",
    unit_satisfaction: str = "",
    operator_satisfaction: str = "",
) -> Visit:
    """Record the return visit: satisfaction with the result, the handling unit and the
    operator; satisfied or basically satisfied closes the ticket (R-FB-2, R-AS-3)."""
    require(actor, Capability.VISIT)
    if satisfaction not in Visit.Satisfaction.values:
        raise DomainError(_("Please choose the satisfaction"))
    for value in (unit_satisfaction, operator_satisfaction):
        if value and value not in Visit.Satisfaction.values:
            raise DomainError(_("Invalid satisfaction value"))
    if channel not in Visit.Channel.values:
        raise DomainError(_("Invalid return-visit channel"))
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        states.check("visit", ticket.status)
        round_, attempt = visit_round(ticket)
        visit = Visit.objects.create(
            ticket=ticket,
            satisfaction=satisfaction,
            unit_satisfaction=unit_satisfaction,
            operator_satisfaction=operator_satisfaction,
            resolved=resolved,
            channel=channel,
            note=note,
            by=actor,
            round=round_,
            attempt=attempt,
        )
        ticket.visit_retry_at = None  # reached: no further attempt is due
        if satisfaction != Visit.Satisfaction.UNSATISFIED:
            changed = [*move(ticket, "close"), "closed_at", "visit_retry_at"]
            ticket.closed_at = clock.now()
        else:
            changed = ["visit_retry_at"]
        record(
            ticket,
            EventKind.VISITED,
            actor=actor,
            fields=changed,
            satisfaction=satisfaction,
            unit_satisfaction=unit_satisfaction,
            operator_satisfaction=operator_satisfaction,
            resolved=resolved,
            channel=channel,
            note=note,
            round=round_,
            attempt=attempt,
        )
    return visit


def visit_round(ticket: Ticket) -> tuple[int, int]:
    """The round of the next visit (one more after each redo) and its attempt number."""
    round_ = ticket.events.filter(kind="redo").count() + 1
    attempt = ticket.visits.filter(round=round_).count() + 1
    return round_, attempt


def ticket_redo(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """Unsatisfied or untrue: back to the lead unit to handle again (R-FB-3)."""
    if not (can(actor, Capability.VISIT) or can(actor, Capability.DISPATCH)):
        raise PermissionDenied(_("Only a return-visit agent or a dispatcher may start a redo"))
    if not reason.strip():
        raise DomainError(_("Please give the reason for the redo"))
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        lead = lead_of(ticket)
        moved = move(ticket, "redo")
        policy = ticket.policy_version.as_policy()
        now = clock.now()
        lead.state = check_assignment("redo", lead)
        lead.extra_days = 0
        lead.clock_start = (
            now if policy.clock.on_redo == ClockStart.RESTART else (lead.first_received_at)
        )
        refresh_deadlines(ticket, lead)
        redo_count = ticket.events.filter(kind="redo").count() + 1
        record(
            ticket,
            EventKind.REDO,
            actor=actor,
            fields=moved,
            assignment=lead,
            reason=reason,
            count=redo_count,
            reply_due=local_moment(lead.reply_due),
        )
    return ticket


def ticket_screen(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """Rule the ticket validly completed: the unit did its duty (R-FB-4, KJ 三(三))."""
    if not (can(actor, Capability.VISIT) or can(actor, Capability.DISPATCH)):
        raise PermissionDenied(_("Only a return-visit agent or a dispatcher may ask for screening"))
    if not reason.strip():
        raise DomainError(_("Please give the reason for the screening"))
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        moved = move(ticket, "screen")
        ticket.screened, ticket.closed_at = True, clock.now()
        record(
            ticket,
            EventKind.SCREENED,
            actor=actor,
            fields=[*moved, "screened", "closed_at"],
            reason=reason,
        )
    return ticket
