"""Assignment deadlines from the ticket's policy version and the calendar (R-DL-2, R-DL-3).

The math is in hotline.sla; this module only gathers the inputs from the rows.
"""

from __future__ import annotations

from dataclasses import replace

from hotline.sla import compute
from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import Pause as SlaPause
from hotline.sla.policies import Kind, Mode, Period, PeriodUnit, Urgency
from hotline.sla.selectors import work_calendar
from hotline.tickets.models import Assignment, Ticket


def assignment_deadlines(
    ticket: Ticket, assignment: Assignment, calendar: WorkCalendar | None = None
) -> compute.TicketDeadlines:
    """Sign, reply and send-back deadlines of one assignment, with explanations."""
    calendar = calendar or work_calendar()
    policy = ticket.policy_version.as_policy()
    rule = policy.rule_for(Kind(ticket.kind), Mode(assignment.mode), Urgency(ticket.urgency))
    rules = compute.clock_rules(policy)
    reply = policy.resolve(rule.reply, catalog_days=ticket.catalog_days)
    if (
        assignment.mode == Mode.INSTRUCTION
        and ticket.instruction_days
        and rule.instruction_may_set_deadline
    ):
        reply = Period(PeriodUnit.WORKING_DAYS, ticket.instruction_days)  # R-HM-6, LX 四3
    if assignment.extra_days:
        if reply.unit != PeriodUnit.WORKING_DAYS:
            raise ValueError("extensions are counted in working days")
        reply = replace(reply, amount=(reply.amount or 0) + assignment.extra_days)
    pauses = [
        SlaPause(start=p.start, end=p.end, reason=p.reason)
        for p in (assignment.pauses.all() if assignment.pk else [])
        if p.end is None or p.end > assignment.clock_start
    ]
    reply_due = compute.period_deadline(calendar, assignment.clock_start, reply, rules, pauses)

    def from_dispatch(period: Period | None):
        if period is None:
            return None
        resolved = policy.resolve(period, catalog_days=ticket.catalog_days)
        return compute.period_deadline(calendar, assignment.dispatched_at, resolved, rules)

    reminders: tuple = ()
    if reply_due.due is not None:
        reminders = tuple(
            compute.workdays_before(calendar, reply_due.due.date(), int(lead))
            for lead in rule.reminder_leads
        )
    return compute.TicketDeadlines(
        rule=rule,
        reply=reply_due,
        sign=from_dispatch(rule.sign),
        return_until=from_dispatch(rule.return_window),
        reminders=reminders,
    )


def refresh(ticket: Ticket, assignment: Assignment) -> compute.TicketDeadlines:
    """Recompute and store the indexed due columns (design rule 4), and tell the sweeper
    to look again now: it works out the warning and the next reminder itself."""
    result = assignment_deadlines(ticket, assignment)
    assignment.reply_due = result.reply.due
    assignment.sign_due = result.sign.due if result.sign else None
    assignment.return_until = result.return_until.due if result.return_until else None
    assignment.next_check_at = assignment.dispatched_at if result.reply.due else None
    return result
