"""Deadlines from a policy: glue between policies.py and deadlines.py. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import (
    DEFAULT_RULES,
    ClockRules,
    Deadline,
    Pause,
    add_natural_hours,
    add_working_days,
    add_working_hours,
)
from hotline.sla.policies import Kind, Mode, Period, PeriodUnit, Policy, Rule, Urgency


def clock_rules(policy: Policy) -> ClockRules:
    clock = policy.clock
    return ClockRules(
        count_receipt_day=clock.count_receipt_day,
        cutoff=clock.cutoff,
        day_start=clock.day_start,
        day_end=clock.day_end,
    )


def period_deadline(
    calendar: WorkCalendar,
    start: datetime,
    period: Period,
    rules: ClockRules = DEFAULT_RULES,
    pauses: Sequence[Pause] = (),
    *,
    explain: bool = True,
) -> Deadline:
    """The due moment of a resolved period (amount known) from `start`; with
    `explain=False` without the explanation lines (faster, for sweeps)."""
    if period.amount is None or period.unit == PeriodUnit.CATALOG:
        raise ValueError("resolve the period against its policy first")
    if period.unit == PeriodUnit.WORKING_DAYS:
        return add_working_days(calendar, start, int(period.amount), rules, pauses, explain=explain)
    if period.unit == PeriodUnit.WORKING_HOURS:
        return add_working_hours(calendar, start, period.amount, rules, pauses, explain=explain)
    return add_natural_hours(start, period.amount, pauses, explain=explain)


@dataclass(frozen=True)
class TicketDeadlines:
    """Everything a policy says about one assignment received at `start`."""

    rule: Rule
    reply: Deadline
    sign: Deadline | None
    return_until: Deadline | None
    reminders: tuple[date, ...]  # the working days on which reminders fall due


def ticket_deadlines(
    calendar: WorkCalendar,
    policy: Policy,
    *,
    kind: Kind,
    mode: Mode,
    urgency: Urgency = Urgency.NORMAL,
    start: datetime,
    catalog_days: float | None = None,
    pauses: Sequence[Pause] = (),
) -> TicketDeadlines:
    rule = policy.rule_for(kind, mode, urgency)
    rules = clock_rules(policy)

    def due(period: Period | None) -> Deadline | None:
        if period is None:
            return None
        resolved = policy.resolve(period, catalog_days=catalog_days)
        return period_deadline(calendar, start, resolved, rules, pauses)

    reply = due(rule.reply)
    assert reply is not None
    reminders: tuple[date, ...] = ()
    if reply.due is not None:
        reminders = tuple(
            workdays_before(calendar, reply.due.date(), int(lead)) for lead in rule.reminder_leads
        )
    return TicketDeadlines(
        rule=rule,
        reply=reply,
        sign=due(rule.sign),
        return_until=due(rule.return_window),
        reminders=reminders,
    )


def workdays_before(calendar: WorkCalendar, day: date, n: int) -> date:
    """The working day `n` working days before `day` ("提前 2 天催办", KJ 二(一))."""
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if calendar.is_workday(current):
            n -= 1
    return current
