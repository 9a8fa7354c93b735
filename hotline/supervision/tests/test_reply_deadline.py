"""The sweeper's reply-only deadline (tickets.deadlines.reply_deadline_and_reminders,
issue 7) must give the due and the reminder days that assignment_deadlines() gives,
only without the sign and send-back deadlines and the explanations."""

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.sla import compute
from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import SHANGHAI, ClockRules, Pause
from hotline.sla.policies import Period, PeriodUnit
from hotline.tickets import deadlines
from hotline.tickets.models import Assignment
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures

CAL = WorkCalendar.from_chinesecalendar()

moments = st.builds(
    lambda day, minute: datetime.combine(day, time(), tzinfo=SHANGHAI) + timedelta(minutes=minute),
    st.dates(min_value=date(2006, 1, 1), max_value=date(2026, 6, 30)),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
periods = st.one_of(
    st.builds(Period, st.just(PeriodUnit.WORKING_DAYS), st.integers(0, 40).map(float)),
    st.builds(
        Period, st.just(PeriodUnit.WORKING_HOURS), st.sampled_from([0.0, 0.5, 2.0, 4.0, 24.0, 36.5])
    ),
    st.builds(Period, st.just(PeriodUnit.NATURAL_HOURS), st.sampled_from([0.0, 1.0, 2.0, 48.0])),
)
rules = st.sampled_from(
    [
        ClockRules(),
        ClockRules(count_receipt_day=True),
        ClockRules(count_receipt_day=True, cutoff=time(15, 0)),
        ClockRules(day_start=time(9, 0), day_end=time(17, 0)),
    ]
)
pauses = st.lists(
    st.builds(
        lambda offset, length, reason: (offset, length, reason),
        st.integers(-3 * 24 * 60, 30 * 24 * 60),
        st.one_of(st.none(), st.integers(0, 10 * 24 * 60)),
        st.sampled_from(["", "退回审核中", "等待诉求人"]),
    ),
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(start=moments, period=periods, rule=rules, stops=pauses)
def test_due_only_is_the_due_of_period_deadline(start, period, rule, stops):
    paused = [
        Pause(
            start + timedelta(minutes=offset),
            None if length is None else start + timedelta(minutes=offset + length),
            reason,
        )
        for offset, length, reason in stops
    ]
    full = compute.period_deadline(CAL, start, period, rule, paused)
    assert deadlines.due_only(CAL, start, period, rule, paused) == full.due


def test_reply_only_matches_assignment_deadlines(flow, at):
    at(2025, 11, 3, 9, 0)
    flow.to("handling", assists=("QX-CD",))
    flow.to("dispatched", lead="QX-CGJ", assists=())
    flow.to("handling", assists=(), kind="consult")
    at(2025, 11, 7, 16, 0)
    flow.to("handling", assists=())
    assignments = list(Assignment.objects.select_related("ticket__policy_version"))
    assert len(assignments) >= 5
    paused = assignments[0]
    paused.pauses.create(start=paused.clock_start + timedelta(hours=2), reason="等待诉求人")
    paused.pauses.create(
        start=paused.clock_start + timedelta(days=1),
        end=paused.clock_start + timedelta(days=2, hours=3),
        reason="退回审核中",
    )
    for a in assignments:
        full = deadlines.assignment_deadlines(a.ticket, a)
        reply = deadlines.reply_deadline_and_reminders(a.ticket, a)
        assert reply.rule == full.rule
        assert reply.due == full.reply.due
        assert reply.reminders == full.reminders
        a.extra_days = 3  # an extension
        full = deadlines.assignment_deadlines(a.ticket, a)
        reply = deadlines.reply_deadline_and_reminders(a.ticket, a)
        assert (reply.due, reply.reminders) == (full.reply.due, full.reminders)
