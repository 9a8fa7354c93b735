"""Assignment deadlines from the ticket's policy version and the calendar (R-DL-2, R-DL-3).

The math is in hotline.sla; this module only gathers the inputs from the rows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from hotline.sla import compute
from hotline.sla import deadlines as sla
from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import ClockRules, Pause
from hotline.sla.policies import Kind, Mode, Period, PeriodUnit, Policy, Rule, Urgency
from hotline.sla.selectors import work_calendar
from hotline.tickets.models import Assignment, Ticket, UnitRequest


def assignment_deadlines(
    ticket: Ticket, assignment: Assignment, calendar: WorkCalendar | None = None
) -> compute.TicketDeadlines:
    """Sign, reply and send-back deadlines of one assignment, with explanations."""
    calendar = calendar or work_calendar()
    policy = ticket.policy_version.as_policy()
    rule = policy.rule_for(Kind(ticket.kind), Mode(assignment.mode), Urgency(ticket.urgency))
    rules = compute.clock_rules(policy)
    reply = _reply_period(
        policy,
        rule,
        mode=assignment.mode,
        catalog_days=ticket.catalog_days,
        instruction_days=ticket.instruction_days,
        extra_days=assignment.extra_days,
    )
    pauses = _pauses(assignment.pauses.all() if assignment.pk else [], assignment.clock_start)
    reply_due = carry_over(
        compute.period_deadline(calendar, assignment.clock_start, reply, rules, pauses),
        assignment.carried_until,
    )

    def from_dispatch(period: Period | None):
        if period is None:
            return None
        resolved = policy.resolve(period, catalog_days=ticket.catalog_days)
        return compute.period_deadline(calendar, assignment.dispatched_at, resolved, rules)

    return compute.TicketDeadlines(
        rule=rule,
        reply=reply_due,
        sign=from_dispatch(rule.sign),
        return_until=from_dispatch(rule.return_window),
        reminders=_reminders(calendar, rule, reply_due.due),
    )


def carried(due: datetime | None, carried_until: datetime | None) -> datetime | None:
    """The reply deadline with an approved carry-over (挂账): not overdue until the
    promised date (decision 0007). The one place a carry-over moves a deadline; every
    overdue check (sweep, ladder, board, queues) reads the stored reply_due."""
    if due is None or carried_until is None:
        return due
    return max(due, carried_until)


def carry_over(deadline: sla.Deadline, carried_until: datetime | None) -> sla.Deadline:
    """carried() of a deadline with its explanation."""
    due = carried(deadline.due, carried_until)
    if due == deadline.due or due is None:
        return deadline
    line = _("Carried over with approval: not overdue before the promised date %(date)s") % {
        "date": f"{due.astimezone(sla.SHANGHAI):%Y-%m-%d}"
    }
    return replace(deadline, due=due, explanation=(*deadline.explanation, line))


def _reminders(calendar: WorkCalendar, rule: Rule, due: datetime | None) -> tuple[date, ...]:
    """The days the reminders fall due, one per lead of the rule (none without a due)."""
    if due is None:
        return ()
    day = due.date()
    return tuple(compute.workdays_before(calendar, day, int(lead)) for lead in rule.reminder_leads)


def _reply_period(
    policy: Policy,
    rule: Rule,
    *,
    mode: str,
    catalog_days: float | None,
    instruction_days: int | None,
    extra_days: int,
) -> Period:
    """The resolved reply period: the rule's, the instruction's (R-HM-6, LX 四3), plus the
    working days of an extension."""
    reply = policy.resolve(rule.reply, catalog_days=catalog_days)
    if mode == Mode.INSTRUCTION and instruction_days and rule.instruction_may_set_deadline:
        reply = Period(PeriodUnit.WORKING_DAYS, instruction_days)  # R-HM-6, LX 四3
    if extra_days:
        if reply.unit != PeriodUnit.WORKING_DAYS:
            raise ValueError("extensions are counted in working days")
        reply = replace(reply, amount=(reply.amount or 0) + extra_days)
    return reply


def _pauses(pauses, clock_start: datetime) -> list[Pause]:
    """The pauses (model rows or anything with start, end, reason) that count."""
    return [
        Pause(start=p.start, end=p.end, reason=p.reason)
        for p in pauses
        if p.end is None or p.end > clock_start
    ]


class ReplyDeadline(NamedTuple):
    """What the sweeper needs of an assignment's deadlines: the rule (its reminder leads),
    the reply due (None: an open pause stops the clock) and the days its reminders fall
    due, one per lead."""

    rule: Rule
    due: datetime | None
    reminders: tuple[date, ...]


def reply_deadline_and_reminders(
    ticket: Ticket, assignment: Assignment, calendar: WorkCalendar | None = None
) -> ReplyDeadline:
    """The reply deadline and the reminder days of one assignment, as
    assignment_deadlines() works them out (`.rule`, `.reply.due`, `.reminders`), without
    the sign and send-back deadlines and without the explanations: the sweeper's share."""
    return reply_due_and_reminders(
        ticket.policy_version.as_policy(),
        calendar or work_calendar(),
        kind=ticket.kind,
        mode=assignment.mode,
        urgency=ticket.urgency,
        catalog_days=ticket.catalog_days,
        instruction_days=ticket.instruction_days,
        extra_days=assignment.extra_days,
        clock_start=assignment.clock_start,
        pauses=assignment.pauses.all() if assignment.pk else (),
        carried_until=assignment.carried_until,
    )


def reply_due_and_reminders(
    policy: Policy,
    calendar: WorkCalendar,
    *,
    kind: str,
    mode: str,
    urgency: str,
    catalog_days: float | None,
    instruction_days: int | None,
    extra_days: int,
    clock_start: datetime,
    pauses: Iterable = (),
    carried_until: datetime | None = None,
) -> ReplyDeadline:
    """reply_deadline_and_reminders() from the column values (the sweeper reads rows, not
    model instances); `pauses` are the assignment's (anything with start, end, reason)."""
    rule = policy.rule_for(Kind(kind), Mode(mode), Urgency(urgency))
    reply = _reply_period(
        policy,
        rule,
        mode=mode,
        catalog_days=catalog_days,
        instruction_days=instruction_days,
        extra_days=extra_days,
    )
    due = due_only(
        calendar, clock_start, reply, compute.clock_rules(policy), _pauses(pauses, clock_start)
    )
    due = carried(due, carried_until)
    return ReplyDeadline(rule, due, _reminders(calendar, rule, due))


def due_only(
    calendar: WorkCalendar,
    start: datetime,
    period: Period,
    rules: ClockRules = sla.DEFAULT_RULES,
    pauses: Sequence[Pause] = (),
) -> datetime | None:
    """compute.period_deadline(…).due without building the explanation."""
    return compute.period_deadline(calendar, start, period, rules, pauses, explain=False).due


def refresh(
    ticket: Ticket, assignment: Assignment, calendar: WorkCalendar | None = None
) -> compute.TicketDeadlines:
    """Recompute and store the indexed due columns (design rule 4), and tell the sweeper
    to look again now: it works out the warning and the next reminder itself."""
    result = assignment_deadlines(ticket, assignment, calendar)
    assignment.reply_due = result.reply.due
    assignment.sign_due = result.sign.due if result.sign else None
    assignment.return_until = result.return_until.due if result.return_until else None
    assignment.next_check_at = assignment.dispatched_at if result.reply.due else None
    return result


# --- extensions (R-UN-3) -------------------------------------------------------------------

MAX_EXTENSION_DAYS = 250  # about a year of working days: beyond it is a typing error


class ExtensionLimits(NamedTuple):
    """What the assignment's rule allows (R-UN-3): whether extensions are allowed, the
    most working days in all and the most extensions, and what was granted so far."""

    allowed: bool
    max_days: int | None
    max_count: int | None
    used_days: int
    used_count: int
    rule: Rule

    @property
    def days_left(self) -> int:
        cap = MAX_EXTENSION_DAYS if self.max_days is None else self.max_days
        return max(0, cap - self.used_days)

    @property
    def available(self) -> bool:
        count_left = self.max_count is None or self.used_count < self.max_count
        return self.allowed and count_left and self.days_left > 0

    @property
    def why_not(self) -> str:
        """Why no extension can be asked at all ("" when one can)."""
        return self.refusal(1)

    def refusal(self, days: int) -> str:
        """Why `days` more cannot be asked or granted ("" when they can)."""
        rule = self.rule
        if not self.allowed:
            return _("Under “%(rule)s” a ticket is in principle not extended (%(citation)s)") % {
                "rule": rule.label,
                "citation": rule.citation,
            }
        if self.max_count is not None and self.used_count >= self.max_count:
            return _(
                "Under “%(rule)s” at most %(max)s extensions are allowed; %(used)s already given"
            ) % {"rule": rule.label, "max": self.max_count, "used": self.used_count}
        if days < 1:
            return _("An extension is at least 1 working day")
        if days > self.days_left:
            if self.max_days is None:
                return _("An extension is at most %(days)s working days") % {
                    "days": MAX_EXTENSION_DAYS
                }
            return _(
                "Under “%(rule)s” extensions add up to at most %(max)s working days "
                "(%(used)s given, %(left)s left)"
            ) % {
                "rule": rule.label,
                "max": self.max_days,
                "used": self.used_days,
                "left": self.days_left,
            }
        return ""


def extension_limits(ticket: Ticket, assignment: Assignment) -> ExtensionLimits:
    policy = ticket.policy_version.as_policy()
    rule = policy.rule_for(Kind(ticket.kind), Mode(assignment.mode), Urgency(ticket.urgency))
    max_days = None
    if rule.extension_max is not None:
        resolved = policy.resolve(rule.extension_max, catalog_days=ticket.catalog_days)
        max_days = int(resolved.amount or 0)
    approved = [
        r for r in assignment.requests.all() if r.kind == "extension" and r.decision == "approved"
    ]
    return ExtensionLimits(
        allowed=rule.extension_allowed,
        max_days=max_days,
        max_count=rule.extension_max_count,
        used_days=assignment.extra_days,
        used_count=len(approved),
        rule=rule,
    )


def due_after_extension(
    ticket: Ticket, assignment: Assignment, days: int, calendar: WorkCalendar | None = None
) -> datetime | None:
    """The reply deadline if `days` more working days were granted; None when the clock
    is stopped. ValueError when it falls outside the working-day calendar.

    Counted on a copy of the assignment with the days added: what approving would store,
    a carry-over included, and the pauses a page prefetched come along (no query)."""
    trial = copy.copy(assignment)
    trial.extra_days = assignment.extra_days + days
    try:
        return assignment_deadlines(ticket, trial, calendar).reply.due
    except OverflowError as exc:
        raise ValueError(str(exc)) from None


class ExtensionPreview(NamedTuple):
    """What the reviewer of an extension request sees before deciding (R-UN-3): the new
    reply deadline if the days asked are granted (None: the clock is stopped or the
    calendar ends before it), the rule's limits, and why the days cannot be granted."""

    new_due: datetime | None
    limits: ExtensionLimits
    refusal: str


def extension_previews(requests: Sequence[UnitRequest]) -> list[ExtensionPreview]:
    """extension_limits() and due_after_extension() for a page of extension requests
    (their assignment and ticket selected with them) in a constant number of queries:
    the calendar read once, the parts' requests, pauses and policy versions prefetched
    together."""
    requests = list(requests)
    prefetch_related_objects(
        requests, "assignment__requests", "assignment__pauses", "assignment__ticket__policy_version"
    )
    calendar = work_calendar() if requests else None
    previews = []
    for request in requests:
        a, days = request.assignment, request.days or 0
        limits = extension_limits(a.ticket, a)
        try:
            new_due = due_after_extension(a.ticket, a, days, calendar)
        except ValueError:
            new_due = None
        previews.append(ExtensionPreview(new_due, limits, limits.refusal(days)))
    return previews


def expected_reply_due(ticket: Ticket, mode: str = Mode.WRITTEN) -> datetime | None:
    """The reply deadline the operator reads to the caller at intake (ZS 15: every
    ticket states its deadline): the ticket's rule for a written assignment counted from
    now. None when the rule takes it from the dispatch catalog (known at dispatch)."""
    try:
        return reply_due_and_reminders(
            ticket.policy_version.as_policy(),
            work_calendar(),
            kind=ticket.kind,
            mode=mode,
            urgency=ticket.urgency,
            catalog_days=None,
            instruction_days=None,
            extra_days=0,
            clock_start=ticket.received_at,
        ).due
    except ValueError:  # PolicyError (catalog, a blank parameter) or past the calendar
        return None
