"""R-AS-2 property: random ticket histories built through the services, with the clock
moved, give the same counts and rates in the unit × day totals as a brute-force count
written here straight from the events and assignments (no shared code with
indicators.ticket_facts)."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.reports import aggregate, indicators, selectors
from hotline.tickets import followup
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Ticket, TicketEvent, UnitRequest
from hotline.tickets.services import followup as f

SH = ZoneInfo("Asia/Shanghai")
UNITS = ("QX-ZJJ", "QX-CGJ", "QX-CD")
EVENT_METRIC = {
    "signed": "signed",
    "send_back_requested": "return_requested",
    "send_back_approved": "return_approved",
    "send_back_refused": "return_refused",
    "extension_requested": "extension_requested",
    "extension_approved": "extension_approved",
    "redo": "redo",
}

plan = st.fixed_dictionaries(
    {
        "day": st.integers(0, 40),
        "lead": st.sampled_from(UNITS),
        "assist": st.booleans(),
        "sign": st.sampled_from(["none", "prompt", "late"]),
        "then": st.sampled_from(["stop", "back_ok", "back_no", "extend", "reply", "reply_late"]),
        "contact": st.sampled_from(["none", "soon", "late"]),
        "visit": st.sampled_from(
            ["none", "satisfied", "basic", "unsatisfied", "redo", "redo_open", "fail", "gave_up"]
        ),
        "exclude": st.booleans(),
        # The other two scores of a visit: with the handling unit and with the operator.
        "unit_sat": st.sampled_from(["", "satisfied", "basic", "unsatisfied"]),
        "op_sat": st.sampled_from(["", "satisfied", "basic", "unsatisfied"]),
    }
)


def _day(moment):
    return moment.astimezone(SH).date()


def _brute(span, *, only=None):
    """Counts per (unit id, metric) from the rows, the period rules applied by hand;
    `only`: these tickets' counts alone, before exclusions."""
    c = Counter()
    inside = lambda moment: span.start <= _day(moment) <= span.end  # noqa: E731
    tickets = Ticket.objects.all() if only is None else Ticket.objects.filter(pk__in=only)
    assignments = Assignment.objects.filter(ticket__in=tickets)
    for a in assignments:
        if a.role in ("lead", "assist") and inside(a.dispatched_at):
            c[a.unit_id, "received_" + a.role] += 1
    for e in TicketEvent.objects.filter(ticket__in=tickets):
        if e.kind in EVENT_METRIC and inside(e.at):
            c[e.unit_id, EVENT_METRIC[e.kind]] += 1
            if e.kind == "signed" and not e.data["late"]:
                c[e.unit_id, "signed_on_time"] += 1
    now = clock.now()
    for a in assignments.filter(role="lead").exclude(state="returned"):
        if a.reply_due is None:
            continue
        events = list(TicketEvent.objects.filter(assignment=a).order_by("at", "id"))
        resets = [
            e.at for e in events if e.kind in ("redo", "completion_refused", "send_back_refused")
        ]
        replies = [
            e.at for e in events if e.kind == "reply_approved" and (not resets or e.at > resets[-1])
        ]
        if not replies and a.reply_due > now:
            continue
        if inside(a.reply_due):
            c[a.unit_id, "due"] += 1
            if replies and replies[-1] <= a.reply_due:
                c[a.unit_id, "on_time"] += 1
            else:
                c[a.unit_id, "overdue"] += 1
    for a in assignments.exclude(contact_due=None):
        first = a.contacts.order_by("at").first()  # any result counts (decision 0007)
        ok = first is not None and first.at <= a.contact_due
        if (ok or a.contact_due <= now) and inside(a.contact_due):
            c[a.unit_id, "response_due"] += 1
            c[a.unit_id, "responded"] += ok
    for t in tickets:
        final = followup.final_visit(t.visits.all())  # the tickets app's own rule
        if final is None or not inside(final.at):
            continue
        lead = (
            t.assignments.filter(role="lead", active=True).last()
            or t.assignments.filter(role="lead").last()
        )
        c[lead.unit_id, "visited"] += 1
        if final.gave_up:  # never satisfied, with the result or with the unit
            c[lead.unit_id, "not_visited"] += 1
            c[lead.unit_id, "unit_rated"] += 1
            continue
        c[lead.unit_id, final.satisfaction] += 1
        if final.resolved:
            c[lead.unit_id, "resolved"] += 1
        if final.unit_satisfaction:  # 办理单位满意: only visits where the citizen rated it
            c[lead.unit_id, "unit_rated"] += 1
            c[lead.unit_id, "unit_" + final.unit_satisfaction] += 1
    if only is not None:
        return c
    # An approved exclusion takes the ticket out of that unit's counts (剔除).
    for r in UnitRequest.objects.filter(kind="exclusion", decision="approved"):
        unit_id = r.assignment.unit_id
        for (u, key), n in _brute(span, only=[r.assignment.ticket_id]).items():
            if u == unit_id:
                c[u, key] -= n
        if inside(r.decided_at):
            c[unit_id, "excluded"] += 1
    return c


def _check_operators(span):
    """R-AS-3: the operator's satisfaction on the staff page, against the final visit of
    each ticket recorded in the period, counted here by hand."""
    from hotline.supervision import performance

    want = Counter()
    for t in Ticket.objects.all():
        final = followup.final_visit(t.visits.all())
        if final is None or final.gave_up or not final.operator_satisfaction:
            continue
        if span.start <= _day(final.at) <= span.end:
            want[t.operator_id, "rated"] += 1
            want[t.operator_id, "pleased"] += final.operator_satisfaction != "unsatisfied"
    for row in performance.operators(performance.Period(span.start, span.end)):
        assert (row.scored_total, row.satisfied) == (
            want[row.user.pk, "rated"],
            want[row.user.pk, "pleased"],
        ), row.user.username
        expected = indicators.Ratio(want[row.user.pk, "pleased"], want[row.user.pk, "rated"])
        assert row.satisfaction_rate == expected.display()


def _run(flow, people, units, p, base):
    start = base + dt.timedelta(days=p["day"])
    with clock.frozen_at(start):
        ticket = flow.create()
    with clock.frozen_at(start + dt.timedelta(minutes=30)):
        flow.dispatch(ticket, lead=p["lead"], assists=("QX-SJJ",) if p["assist"] else ())
    if p["sign"] == "none":
        return
    at = start + dt.timedelta(hours=1 if p["sign"] == "prompt" else 80)
    with clock.frozen_at(at):
        flow.sign(ticket)
    lead = flow.lead(ticket)
    clerk = flow.clerk(lead)
    later = at + dt.timedelta(hours=2)
    if p["contact"] != "none":
        when = at + dt.timedelta(hours=1 if p["contact"] == "soon" else 100)
        with clock.frozen_at(when):
            f.contact_record(
                user=clerk, assignment=lead, at=when, channel="phone", result="reached"
            )
    if p["exclude"]:
        with clock.frozen_at(later):
            req = f.exclusion_request(
                actor=clerk, assignment=lead, category="malicious", reason="恶意来电"
            )
            f.exclusion_decide(actor=people["dispatcher1"], request=req, approve=True)
    try:
        if p["then"] in ("back_ok", "back_no"):
            with clock.frozen_at(later):
                s.send_back_request(
                    actor=clerk, assignment=lead, reason="非本单位", legal_basis="三定"
                )
            request = UnitRequest.objects.get(assignment=lead, kind="send_back")
            with clock.frozen_at(later + dt.timedelta(hours=1)):
                s.send_back_decide(
                    actor=people["dispatcher1"],
                    request=request,
                    approve=p["then"] == "back_ok",
                    note="" if p["then"] == "back_ok" else "属职责",
                )
            return
        if p["then"] == "stop":
            return
        if p["then"] == "extend":
            with clock.frozen_at(later):
                req = s.extension_request(actor=clerk, assignment=lead, reason="复杂", days=3)
                s.extension_decide(actor=people["dispatcher1"], request=req, approve=True)
        when = later + dt.timedelta(days=30 if p["then"] == "reply_late" else 1)
        with clock.frozen_at(when):
            flow.reply(ticket)
            flow.approve_reply(ticket)
            flow.complete(ticket)
        if p["visit"] == "none":
            return
        if p["visit"] in ("fail", "gave_up"):
            for n in range(1 if p["visit"] == "fail" else followup.max_attempts(ticket)):
                with clock.frozen_at(when + dt.timedelta(days=1, hours=n * 5)):
                    f.visit_fail(actor=people["visitor1"], ticket=ticket, outcome="no_answer")
            return
        with clock.frozen_at(when + dt.timedelta(days=1)):
            outcome = "unsatisfied" if p["visit"].startswith("redo") else p["visit"]
            s.visit_record(
                actor=people["visitor1"],
                ticket=ticket,
                satisfaction=outcome,
                resolved=outcome != "unsatisfied",
                unit_satisfaction=p["unit_sat"],
                operator_satisfaction=p["op_sat"],
            )
        if p["visit"] == "redo_open":  # redone, not called again: the first visit stands
            with clock.frozen_at(when + dt.timedelta(days=2)):
                s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="未解决")
        if p["visit"] == "redo":
            with clock.frozen_at(when + dt.timedelta(days=2)):
                s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="未解决")
            with clock.frozen_at(when + dt.timedelta(days=5)):
                flow.reply(ticket)
                flow.approve_reply(ticket)
                flow.complete(ticket)
                s.visit_record(
                    actor=people["visitor1"],
                    ticket=ticket,
                    satisfaction="basic",
                    resolved=True,
                    unit_satisfaction=p["op_sat"],  # another answer than the first round's
                    operator_satisfaction=p["unit_sat"],
                )
    except DomainError:
        return  # a step the rules refuse (e.g. a send-back after the window): history stands


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=st.lists(plan, min_size=1, max_size=6))
def test_R_AS_2_counts_and_rates_match_brute_force_from_events(flow, people, units, plans):
    base = dt.datetime(2026, 3, 2, 9, tzinfo=SH)
    with transaction.atomic():
        for p in plans:
            _run(flow, people, units, p, base)
        with clock.frozen_at(dt.datetime(2026, 4, 20, 12, tzinfo=SH)):
            aggregate.refresh_tickets(Ticket.objects.values_list("pk", flat=True))
            for span in (
                selectors.Span(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
                selectors.Span(dt.date(2026, 2, 1), dt.date(2026, 6, 30)),
            ):
                brute = _brute(span)
                stored = selectors.unit_counts(span, selectors.assessed_units())
                for code in (*UNITS, "QX-SJJ"):
                    unit = units[code]
                    got = indicators.counts_with_derived(stored.get(unit.pk, {}))
                    want = indicators.counts_with_derived(
                        {m: n for (u, m), n in brute.items() if u == unit.pk}
                    )
                    for key in (m.key for m in indicators.METRICS):
                        assert got[key] == want[key], (code, key, span)
                    assert indicators.rates(got) == indicators.rates(want)
                    direct = selectors.unit_counts_from_events(span, [unit]).get(unit.pk, {})
                    assert indicators.counts_with_derived(direct) == got
                    for key in indicators.SCORES:  # 满意度得分 and 办理单位满意度得分
                        assert indicators.satisfaction_score(
                            got, key=key
                        ) == indicators.satisfaction_score(want, key=key)
                _check_operators(span)
        transaction.set_rollback(True)
