"""The citizen-facing windows around handling: the unit's contact after signing (R-UN-4)
and the hotline's return visit after completion, with its retries (R-FB-2).

Reads the ticket's policy version (`Policy.follow_up`) and the working calendar; writes
nothing. The services store the results in indexed columns (`Assignment.contact_due`,
`Ticket.visit_due`, `Ticket.visit_retry_at`) so queues and the assessment read columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hotline.sla import compute
from hotline.sla.calendar import WorkCalendar
from hotline.sla.policies import FollowUp, Period
from hotline.sla.selectors import work_calendar
from hotline.tickets.models import Assignment, Ticket, Visit


def _follow_up(ticket: Ticket) -> FollowUp:
    return ticket.policy_version.as_policy().follow_up


def _after(
    ticket: Ticket, start: datetime, period: Period, calendar: WorkCalendar | None
) -> datetime:
    policy = ticket.policy_version.as_policy()
    due = compute.period_deadline(
        calendar or work_calendar(), start, period, compute.clock_rules(policy), explain=False
    ).due
    assert due is not None  # no pauses: always a moment
    return due


def contact_due(
    ticket: Ticket, signed_at: datetime, calendar: WorkCalendar | None = None
) -> datetime:
    """The moment by which the unit contacts the citizen after signing (R-UN-4)."""
    return _after(ticket, signed_at, _follow_up(ticket).contact_within, calendar)


def visit_due(
    ticket: Ticket, completed_at: datetime, calendar: WorkCalendar | None = None
) -> datetime:
    """The moment by which the hotline visits a completed ticket (R-FB-2)."""
    return _after(ticket, completed_at, _follow_up(ticket).visit_within, calendar)


def retry_at(ticket: Ticket, failed_at: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """When to call again after a failed visit."""
    return _after(ticket, failed_at, _follow_up(ticket).retry_after, calendar)


def max_attempts(ticket: Ticket) -> int:
    return _follow_up(ticket).max_attempts


def responded_in_time(
    contact_due: datetime | None, first_contact_at: datetime | None
) -> bool | None:
    """Did the unit contact the citizen within its window (响应率 numerator)? None when
    the assignment was never signed (no window: not in the denominator). Pure."""
    if contact_due is None:
        return None
    return first_contact_at is not None and first_contact_at <= contact_due


def assignment_responded(assignment: Assignment) -> bool | None:
    """responded_in_time() of an assignment's stored columns."""
    return responded_in_time(assignment.contact_due, assignment.first_contact_at)


def current_round(visits: Iterable[Visit]) -> list[Visit]:
    """The visits of the latest round only: a redo's outcome replaces the first visit."""
    visits = list(visits)
    if not visits:
        return []
    last = max(v.round for v in visits)
    return [v for v in visits if v.round == last]


def final_visit(visits: Iterable[Visit]) -> Visit | None:
    """The visit that counts for the ticket: the latest round's successful visit, or its
    last failed attempt when the hotline gave up (not visited: not satisfied)."""
    latest = current_round(visits)
    for visit in reversed(latest):
        if visit.outcome == Visit.Outcome.DONE or visit.gave_up:
            return visit
    return None
