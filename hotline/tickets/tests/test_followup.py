"""Inputs of the assessment (issue 12): the unit's contact with the citizen (R-UN-4),
return visits with three scores, failures and retries (R-FB-2, R-AS-3), exclusions (剔除)
and carry-overs (挂账) through the hotline's review (decision 0007)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.sla import policies, presets
from hotline.supervision.sweep import sweep
from hotline.tickets import followup
from hotline.tickets import services as s
from hotline.tickets.deadlines import assignment_deadlines
from hotline.tickets.models import Contact, UnitRequest, Visit, WarningLevel
from hotline.tickets.selectors_followup import carry_overs, excluded_assignments, pending_requests
from hotline.tickets.services import followup as sf
from hotline.tickets.states import Status

SH = ZoneInfo("Asia/Shanghai")


def local(moment):
    return moment.astimezone(SH).replace(tzinfo=None)


def sh(*args):
    return dt.datetime(*args, tzinfo=SH)


# --- R-UN-4: contact with the citizen ---------------------------------------------------


def test_r_un_4_contact_window_from_signing_and_response_in_time(flow, at):
    at(2025, 11, 24, 9, 0)  # Monday
    ticket = flow.to("dispatched")
    at(2025, 11, 24, 10, 0)
    lead = flow.sign(ticket)
    # KJ: one working day after signing (the receipt day does not count).
    assert local(lead.contact_due) == dt.datetime(2025, 11, 25, 17, 30)
    assert followup.assignment_responded(lead) is False  # signed, not yet contacted
    at(2025, 11, 25, 9, 0)
    contact = sf.contact_record(
        user=flow.clerk(lead),
        assignment=lead,
        at=sh(2025, 11, 25, 8, 40),
        channel=Contact.Channel.PHONE,
        result=Contact.Result.REACHED,
        note="已电话联系，约定周四上门",
    )
    lead.refresh_from_db()
    assert lead.first_contact_at == contact.at
    assert followup.assignment_responded(lead) is True
    event = ticket.events.get(kind="contacted")
    assert event.data["in_time"] is True and event.data["result"] == "reached"
    # A later contact does not move the first one.
    sf.contact_record(
        user=flow.clerk(lead),
        assignment=lead,
        at=sh(2025, 11, 25, 8, 55),
        channel=Contact.Channel.VISIT,
        result=Contact.Result.REACHED,
    )
    lead.refresh_from_db()
    assert lead.first_contact_at == contact.at


def test_r_un_4_late_contact_is_not_a_response_in_time(flow, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    at(2025, 11, 27, 9, 0)
    sf.contact_record(
        user=flow.clerk(lead),
        assignment=lead,
        at=sh(2025, 11, 27, 8, 0),
        channel="phone",
        result="not_reached",
    )
    lead.refresh_from_db()
    assert followup.assignment_responded(lead) is False
    assert followup.responded_in_time(None, None) is None  # unsigned: not counted


def test_r_un_4_contact_bad_input_and_roles(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    clerk = flow.clerk(lead)
    ok = {"at": sh(2025, 11, 24, 9, 0), "channel": "phone", "result": "reached"}
    with pytest.raises(DomainError, match="晚于当前"):
        sf.contact_record(user=clerk, assignment=lead, **{**ok, "at": sh(2025, 11, 25, 9)})
    with pytest.raises(DomainError, match="早于派单"):
        sf.contact_record(user=clerk, assignment=lead, **{**ok, "at": sh(2025, 11, 20, 9)})
    with pytest.raises(DomainError, match="联系方式"):
        sf.contact_record(user=clerk, assignment=lead, **{**ok, "channel": "pigeon"})
    with pytest.raises(DomainError, match="联系结果"):
        sf.contact_record(user=clerk, assignment=lead, **{**ok, "result": "maybe"})
    with pytest.raises(DomainError, match="不能超过"):
        sf.contact_record(user=clerk, assignment=lead, note="长" * 2001, **ok)
    with pytest.raises(PermissionDenied):  # another unit's clerk
        sf.contact_record(user=people["cgj_clerk"], assignment=lead, **ok)
    with pytest.raises(PermissionDenied):  # the hotline does not record the unit's contact
        sf.contact_record(user=people["dispatcher1"], assignment=lead, **ok)
    assert not Contact.objects.exists()
    assert not ticket.events.filter(kind="contacted").exists()


# --- R-FB-2: visits with three scores, failures, retries --------------------------------


def test_r_fb_2_visit_deadline_set_on_completion(flow, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    ticket.refresh_from_db()
    assert local(ticket.visit_due) == dt.datetime(2025, 11, 27, 17, 30)  # KJ: 3 working days


def test_r_as_3_visit_records_three_scores_and_rounds(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    visitor = people["visitor1"]
    first = s.visit_record(
        actor=visitor,
        ticket=ticket,
        satisfaction="unsatisfied",
        unit_satisfaction="unsatisfied",
        operator_satisfaction="satisfied",
        resolved=False,
    )
    assert (first.round, first.attempt) == (1, 1)
    assert first.operator_satisfaction == "satisfied"
    s.ticket_redo(actor=visitor, ticket=ticket, reason="电梯仍未修复")
    flow.reply(ticket)
    flow.approve_reply(ticket)
    flow.complete(ticket)
    second = s.visit_record(
        actor=visitor,
        ticket=ticket,
        satisfaction="satisfied",
        unit_satisfaction="basic",
        operator_satisfaction="satisfied",
        resolved=True,
    )
    assert (second.round, second.attempt) == (2, 1)
    # A redo's outcome replaces the first visit.
    assert followup.final_visit(ticket.visits.all()) == second
    with pytest.raises(DomainError, match="取值无效"):
        s.visit_record(
            actor=visitor, ticket=ticket, satisfaction="satisfied", resolved=True,
            unit_satisfaction="great",
        )  # fmt: skip


def test_r_fb_2_failed_visit_schedules_retry_then_success(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    at(2025, 11, 25, 10, 0)
    failed = sf.visit_fail(actor=people["visitor1"], ticket=ticket, outcome="no_answer")
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED  # still on the call list
    assert local(ticket.visit_retry_at) == dt.datetime(2025, 11, 25, 14, 0)  # KJ: 4 working hours
    assert (failed.outcome, failed.attempt, failed.gave_up, failed.satisfaction) == (
        "no_answer",
        1,
        False,
        "",
    )
    event = ticket.events.get(kind="visit_failed")
    assert event.data["max_attempts"] == 3 and event.data["retry_at"] == "2025-11-25 14:00"
    at(2025, 11, 25, 14, 5)
    done = s.visit_record(
        actor=people["visitor1"], ticket=ticket, satisfaction="satisfied", resolved=True
    )
    assert done.attempt == 2
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert followup.final_visit(ticket.visits.all()) == done


def test_r_fb_2_after_n_failures_not_visited_and_off_the_call_list(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    visitor = people["visitor1"]
    for outcome in ("no_answer", "powered_off"):
        sf.visit_fail(actor=visitor, ticket=ticket, outcome=outcome)
    last = sf.visit_fail(actor=visitor, ticket=ticket, outcome="wrong_number")
    assert last.gave_up and last.attempt == 3
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    assert followup.final_visit(ticket.visits.all()) == last  # counts as not visited
    with pytest.raises(Conflict):
        sf.visit_fail(actor=visitor, ticket=ticket, outcome="no_answer")


def test_r_fb_2_visit_failure_bad_input_and_roles(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    with pytest.raises(DomainError, match="未成功的原因"):
        sf.visit_fail(actor=people["visitor1"], ticket=ticket, outcome="done")
    with pytest.raises(PermissionDenied):
        sf.visit_fail(actor=people["zjj_clerk"], ticket=ticket, outcome="no_answer")
    assert not Visit.objects.exists()


# --- exclusion (剔除) -------------------------------------------------------------------


def test_r_as_2_exclusion_request_and_decisions(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    clerk = flow.clerk(lead)
    with pytest.raises(DomainError, match="类别"):
        sf.exclusion_request(actor=clerk, assignment=lead, category="bored", reason="x")
    with pytest.raises(DomainError, match="剔除理由"):
        sf.exclusion_request(actor=clerk, assignment=lead, category="malicious", reason=" ")
    request = sf.exclusion_request(
        actor=clerk, assignment=lead, category="malicious", reason="同一号码一月内恶意来电 40 次"
    )
    with pytest.raises(Conflict, match="待审核"):
        sf.exclusion_request(actor=clerk, assignment=lead, category="malicious", reason="再次")
    assert list(pending_requests(user=people["dispatcher1"], kind="exclusion")) == [request]
    with pytest.raises(PermissionDenied):
        sf.exclusion_decide(actor=clerk, request=request, approve=True)
    with pytest.raises(DomainError, match="不同意的理由"):
        sf.exclusion_decide(actor=people["dispatcher1"], request=request, approve=False)
    sf.exclusion_decide(actor=people["dispatcher1"], request=request, approve=True)
    assert ticket.events.filter(kind="exclusion_approved").count() == 1
    assert list(excluded_assignments()) == [lead]
    assert list(excluded_assignments(user=people["zjj_clerk"])) == [lead]
    assert list(excluded_assignments(user=people["cgj_clerk"])) == []  # not its ticket
    with pytest.raises(Conflict, match="已批准剔除"):
        sf.exclusion_request(actor=clerk, assignment=lead, category="malicious", reason="再次")


# --- carry-over (挂账) ------------------------------------------------------------------


def test_r_un_5_carry_over_not_overdue_until_promised_date(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    original = lead.reply_due
    clerk = flow.clerk(lead)
    promised = dt.date(2026, 3, 31)
    request = sf.carry_over_request(
        actor=clerk,
        assignment=lead,
        plan="纳入明年老旧小区改造计划，更换电梯",
        promised_date=promised,
    )
    assert list(carry_overs(user=people["supervisor1"], decision="pending")) == [request]
    sf.carry_over_decide(actor=people["dispatcher1"], request=request, approve=True)
    lead.refresh_from_db()
    assert local(lead.reply_due) == dt.datetime(2026, 3, 31, 17, 30)
    assert lead.reply_due > original
    assert list(carry_overs(user=people["supervisor1"])) == [request]
    assert list(carry_overs(user=people["cgj_clerk"])) == []
    # Past the original deadline the sweep sees nothing overdue.
    at(2025, 12, 20, 9, 0)
    sweep()
    lead.refresh_from_db()
    assert lead.warning != WarningLevel.RED
    climbed = ticket.events.filter(kind__in=["urged", "supervision_letter"])
    assert not climbed.filter(assignment=lead).exists()
    assert climbed.exclude(assignment=lead).exists()  # the co-unit's own deadline stands
    assert "挂账" in assignment_deadlines(ticket, lead).reply.explanation[-1]


def test_r_un_5_carry_over_bad_input_and_refusal(flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    clerk = flow.clerk(lead)
    with pytest.raises(DomainError, match="晚于今天"):
        sf.carry_over_request(
            actor=clerk, assignment=lead, plan="计划", promised_date=dt.date(2025, 11, 24)
        )
    with pytest.raises(DomainError, match="一年"):
        sf.carry_over_request(
            actor=clerk, assignment=lead, plan="计划", promised_date=dt.date(2027, 1, 1)
        )
    with pytest.raises(DomainError, match="无需挂账"):
        sf.carry_over_request(
            actor=clerk, assignment=lead, plan="计划", promised_date=dt.date(2025, 11, 26)
        )
    with pytest.raises(DomainError, match="办理计划"):
        sf.carry_over_request(
            actor=clerk, assignment=lead, plan="", promised_date=dt.date(2026, 2, 1)
        )
    request = sf.carry_over_request(
        actor=clerk, assignment=lead, plan="计划", promised_date=dt.date(2026, 2, 1)
    )
    before = lead.reply_due
    sf.carry_over_decide(
        actor=people["dispatcher1"], request=request, approve=False, note="可在期限内办结"
    )
    lead.refresh_from_db()
    assert lead.reply_due == before and lead.carried_until is None
    request.refresh_from_db()
    assert request.decision == UnitRequest.Decision.REFUSED
    assert ticket.events.filter(kind="carry_over_refused").count() == 1


# --- the policy's follow-up windows as data ---------------------------------------------


def test_r_un_4_follow_up_windows_round_trip_and_defaults():
    data = policies.to_dict(presets.ZS)
    assert policies.from_dict(data).follow_up == presets.ZS.follow_up
    del data["follow_up"]  # a version stored before the windows existed
    assert policies.from_dict(data).follow_up == policies.DEFAULT_FOLLOW_UP
    data["follow_up"] = {"max_attempts": 0}
    with pytest.raises(policies.PolicyError, match="最多尝试次数"):
        policies.from_dict(data)
    data["follow_up"] = {"contact_within": {"unit": "catalog"}}
    with pytest.raises(policies.PolicyError, match="联系诉求人时限"):
        policies.from_dict(data)
    for preset in presets.PRESETS.values():
        assert preset.follow_up.contact_within.amount


def test_r_un_4_policy_page_shows_the_follow_up_windows(client, people):
    client.force_login(people["admin"])
    body = client.get("/sla/policies/ZS/").content.decode()
    assert "4个工作小时" in body and "中山 第二十条(一)" in body


def test_demo_city_has_the_assessment_inputs(demo):
    """The demo shows every input: contacts, visits with three scores, failed visits,
    exclusions and carry-overs (issue 12)."""
    from hotline.tickets.demo import build_demo_tickets

    build_demo_tickets(count=150)
    assert Contact.objects.exists()
    assert Visit.objects.filter(outcome="done").exclude(operator_satisfaction="").exists()
    assert Visit.objects.exclude(outcome="done").exists()
    assert UnitRequest.objects.filter(kind="exclusion").exists()
    assert UnitRequest.objects.filter(kind="carry_over", decision="approved").exists()
