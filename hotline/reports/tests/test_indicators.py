"""Counts and rates from the event log (R-AS-2), period rules (docs/decisions/0008)."""

import datetime as dt

import pytest

from hotline.reports import aggregate, indicators, selectors
from hotline.tickets import services as s

pytestmark = pytest.mark.django_db


def _counts(code, units, start, end):
    span = selectors.Span(start, end)
    return indicators.counts_with_derived(
        selectors.unit_counts(span, [units[code]]).get(units[code].pk, {})
    )


def test_R_AS_2_rate_with_zero_denominator_is_a_dash():
    ratio = indicators.Ratio(0, 0)
    assert ratio.value is None and ratio.display() == "—"
    assert indicators.Ratio(0, 4).display() == "0.0%"
    assert indicators.Ratio(4, 4).display() == "100.0%"


def test_R_AS_2_satisfaction_score_defaults_100_80_0():
    score = indicators.satisfaction_score(
        {"visited": 3, "satisfied": 1, "basic": 1, "unsatisfied": 1}
    )
    assert (score.numerator, score.denominator) == (180, 3)
    assert score.value == 60


def test_R_AS_2_counts_from_services(flow, units, people, at):
    at(2026, 3, 2, 9)
    closed = flow.to("closed", lead="QX-ZJJ", assists=("QX-CD",))
    at(2026, 3, 3, 9)
    late = flow.to("dispatched", lead="QX-ZJJ", assists=())
    at(2026, 3, 31, 10)
    aggregate.refresh_tickets([closed.pk, late.pk])
    c = _counts("QX-ZJJ", units, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert c["received_lead"] == 2
    assert c["signed"] == 1 and c["signed_on_time"] == 1
    assert c["visited"] == 1 and c["satisfied"] == 1 and c["resolved"] == 1
    # The unsigned ticket's reply deadline fell in March without a reply: overdue.
    assert c["due"] == 2 and c["on_time"] == 1 and c["overdue"] == 1
    rates = indicators.rates(c)
    assert rates["on_time_rate"].display() == "50.0%"
    assert rates["satisfy_rate"].display() == "100.0%"
    assist = _counts("QX-CD", units, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert assist["received_assist"] == 1 and assist["received_lead"] == 0


def test_R_AS_2_redo_outcome_replaces_first_visit(flow, people, units, at):
    at(2026, 3, 2, 9)
    ticket = flow.to("completed", lead="QX-ZJJ", assists=())
    at(2026, 3, 5, 9)
    s.visit_record(
        actor=people["visitor1"], ticket=ticket, satisfaction="unsatisfied", resolved=False
    )
    s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="未解决")
    at(2026, 4, 2, 9)
    flow.reply(ticket)
    flow.approve_reply(ticket)
    flow.complete(ticket)
    s.visit_record(actor=people["visitor1"], ticket=ticket, satisfaction="basic", resolved=True)
    aggregate.refresh_tickets([ticket.pk])
    march = _counts("QX-ZJJ", units, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    april = _counts("QX-ZJJ", units, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert march["visited"] == 0 and march["unsatisfied"] == 0 and march["redo"] == 1
    assert april["visited"] == 1 and april["basic"] == 1 and april["resolved"] == 1


def test_R_AS_2_improper_return_counts_as_refused(flow, people, units, at):
    at(2026, 3, 2, 9)
    ticket = flow.to("return_review", lead="QX-ZJJ", assists=())
    request = flow.lead(ticket).requests.get()
    s.send_back_decide(
        actor=people["dispatcher1"], request=request, approve=False, note="属本单位职责"
    )
    aggregate.refresh_tickets([ticket.pk])
    c = _counts("QX-ZJJ", units, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert c["return_requested"] == 1 and c["return_refused"] == 1 and c["return_approved"] == 0


def test_tick_refreshes_new_events_and_records_when(flow, at):
    at(2026, 3, 2, 9)
    flow.to("handling")
    result = aggregate.refresh_pending()
    assert result["tickets"] >= 1
    assert aggregate.last_refreshed() is not None
    assert (
        selectors.intake_series(selectors.Span(dt.date(2026, 3, 2), dt.date(2026, 3, 2)), "day")[0][
            "count"
        ]
        == 1
    )


def test_R_AS_2_unit_satisfaction_counts_in_its_own_rate_and_score(flow, people, units, at):
    """办理单位满意 (KM 15): the visit's answer about the handling unit feeds the unit's
    办理单位满意率 and 办理单位满意度得分; a visit where the citizen did not rate the
    unit is outside their denominator, and a scheme may weigh either."""
    from hotline.reports import schemes

    at(2026, 3, 2, 9)
    rated = flow.to("completed", lead="QX-ZJJ", assists=())
    silent = flow.to("completed", lead="QX-ZJJ", assists=())
    at(2026, 3, 5, 9)
    s.visit_record(
        actor=people["visitor1"],
        ticket=rated,
        satisfaction="satisfied",
        resolved=True,
        unit_satisfaction="basic",
        operator_satisfaction="satisfied",
    )
    s.visit_record(actor=people["visitor1"], ticket=silent, satisfaction="satisfied", resolved=True)
    aggregate.refresh_tickets([rated.pk, silent.pk])
    c = _counts("QX-ZJJ", units, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert c["visited"] == 2 and c["satisfied"] == 2
    assert c["unit_rated"] == 1 and c["unit_basic"] == 1 and c["unit_pleased"] == 1
    rates = indicators.rates(c)
    assert rates["unit_satisfy_rate"].display() == "100.0%"
    assert indicators.satisfaction_score(c).value == 100
    assert indicators.satisfaction_score(c, key="unit_score").value == 80
    only_unit = schemes.Scheme(
        code="U", name="U", source="", weights=(schemes.Weight("unit_score", 100),)
    )
    only_unit.validate()
    assert only_unit.score(c)["base"] == 80.0
    assert any(w.rate == "unit_satisfy_rate" for w in schemes.KM.weights)  # KM 15
    empty = indicators.rates({})
    assert empty["unit_satisfy_rate"].display() == "—"
