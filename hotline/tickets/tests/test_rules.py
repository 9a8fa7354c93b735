"""One test per rule of the regulations, named after its requirement id."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Ticket, UnitRequest
from hotline.tickets.selectors import citizen_for
from hotline.tickets.states import TRANSITIONS, Status, check

SH = ZoneInfo("Asia/Shanghai")


def local(moment):
    return moment.astimezone(SH).replace(tzinfo=None)


@pytest.mark.parametrize("intake_outcome", ["answer_now", "guide"])
def test_r_hm_1_2_answer_now_and_guide_complete_at_intake(flow, intake_outcome):
    ticket = flow.create(
        kind="consult", intake_outcome=intake_outcome, answer="请拨打 0570-12345 咨询"
    )
    assert ticket.status == Status.COMPLETED and not ticket.assignments.exists()


def test_r_hm_3_forward_names_the_unit(flow, units):
    with pytest.raises(DomainError, match="转阅单位"):
        flow.create(intake_outcome="forward")
    ticket = flow.create(intake_outcome="forward", forward_to=units["QX-HBJ"])
    assert ticket.events.get().data["forward_to"] == "QX-HBJ"


def test_r_in_4_decline_keeps_reason_and_repeat_links_earlier(flow):
    with pytest.raises(DomainError, match="原因"):
        flow.create(intake_outcome="decline")
    earlier = flow.create()
    with pytest.raises(DomainError, match="关联原工单"):
        flow.create(intake_outcome="decline", decline_reason="repeat")
    repeat = flow.create(intake_outcome="decline", decline_reason="repeat", related_to=earlier)
    assert repeat.status == Status.DECLINED and repeat.related_to == earlier
    event = repeat.events.get()
    assert earlier.number in event.data["progress"] and "原工单" in event.data["guidance"]
    emergency = flow.create(intake_outcome="decline", decline_reason="emergency")
    assert emergency.decline_reason == "emergency"
    assert "110" in emergency.events.get().data["guidance"]


def test_r_in_3_numbers_are_unique_and_sequential(flow):
    numbers = [flow.create().number for _ in range(3)]
    assert len(set(numbers)) == 3
    assert [int(n[-5:]) for n in numbers] == sorted(int(n[-5:]) for n in numbers)


def test_r_in_2_bad_input_creates_nothing(flow):
    with pytest.raises(DomainError) as caught:
        flow.create(phone=" ", summary="")
    assert "来电号码" in caught.value.message and "摘要" in caught.value.message
    assert Ticket.objects.count() == 0


def test_r_hm_11_community_never_leads_but_may_assist(flow):
    ticket = flow.create()
    with pytest.raises(DomainError, match="只能协办"):
        flow.dispatch(ticket, lead="QX-CD-DM")
    flow.dispatch(ticket, lead="QX-CD", assists=("QX-CD-DM",))
    assert ticket.assignments.get(role="assist").unit.code == "QX-CD-DM"


def test_r_hm_7_lead_answers_once_assists_report(flow, people):
    ticket = flow.to("handling")
    assist = ticket.assignments.get(role="assist")
    with pytest.raises(DomainError, match="牵头单位"):
        s.reply_submit(actor=people["cd_clerk"], assignment=assist, text="x")
    s.assignment_sign(actor=people["cd_clerk"], assignment=assist)
    s.assist_report(actor=people["cd_clerk"], assignment=assist, text="已走访")
    with pytest.raises(Conflict):
        s.assist_report(actor=people["cd_clerk"], assignment=assist, text="again")


def test_r_un_1_double_sign_is_refused(flow):
    ticket = flow.to("dispatched")
    flow.sign(ticket)
    with pytest.raises(Conflict, match="已签收"):
        flow.sign(ticket)


def test_r_un_2_send_back_approved_restarts_for_the_new_unit(flow, people, at):
    at(2025, 9, 26, 10, 0)
    ticket = flow.to("dispatched")
    first = flow.lead(ticket)
    request = s.send_back_request(
        actor=flow.clerk(first),
        assignment=first,
        reason="电梯属特种设备",
        legal_basis="特种设备安全法",
        suggested_unit=flow.u["QX-SJJ"],
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RETURN_REVIEW
    at(2025, 9, 29, 15, 0)
    with pytest.raises(DomainError, match="同意退回时请说明理由"):  # issue 15 item 9
        s.send_back_decide(actor=people["dispatcher1"], request=request, approve=True)
    s.send_back_decide(
        actor=people["dispatcher1"], request=request, approve=True, note="属市场监管职责"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_DISPATCH
    assert not ticket.assignments.filter(active=True).exists()
    flow.dispatch(ticket, lead="QX-SJJ")
    new = flow.lead(ticket)
    assert local(new.clock_start) == dt.datetime(2025, 9, 29, 15, 0)  # ZS 17: from re-dispatch
    assert local(new.reply_due) == dt.datetime(2025, 10, 20, 17, 30)


def test_r_un_2_send_back_refused_counts_from_first_receipt_without_review(flow, people, at):
    at(2025, 11, 3, 9, 0)  # Monday
    ticket = flow.to("dispatched")
    lead = flow.lead(ticket)
    due_before = lead.reply_due
    request = s.send_back_request(
        actor=flow.clerk(lead), assignment=lead, reason="非本单位", legal_basis="三定"
    )
    at(2025, 11, 3, 17, 0)  # the hotline took 8 working hours to decide
    with pytest.raises(DomainError, match="理由"):
        s.send_back_decide(actor=people["dispatcher1"], request=request, approve=False)
    s.send_back_decide(
        actor=people["dispatcher1"], request=request, approve=False, note="属本单位职责"
    )
    lead.refresh_from_db()
    assert lead.state == Assignment.State.HANDLING and lead.active
    # The review (09:00–17:00 on the first day, before the clock even started) costs nothing.
    assert lead.reply_due == due_before
    event = ticket.events.get(kind="send_back_refused")
    assert event.data["improper"] is True  # ZS 38: counts against the unit


def test_r_un_2_no_send_back_after_the_window_or_after_coordination(flow, people, at):
    at(2025, 11, 3, 9, 0)
    ticket = flow.to("dispatched")
    lead = flow.lead(ticket)
    at(2025, 11, 5, 9, 0)  # KJ: only within 1 working day of receipt
    with pytest.raises(DomainError, match="超过退回时限"):
        s.send_back_request(actor=flow.clerk(lead), assignment=lead, reason="x", legal_basis="y")
    other = flow.create()
    flow.dispatch(other, coordinated=True)
    lead = flow.lead(other)
    with pytest.raises(DomainError, match="协调"):
        s.send_back_request(actor=flow.clerk(lead), assignment=lead, reason="x", legal_basis="y")


def test_r_un_3_extension_refused_keeps_deadline_and_one_pending_at_a_time(flow, people, at):
    from hotline.sla.models import PolicyVersion

    at(2025, 11, 3, 9, 0)
    lx = PolicyVersion.objects.get(policy__code="LX")
    ticket = flow.create(policy_version=lx)
    flow.dispatch(ticket)
    flow.sign(ticket)
    lead = flow.lead(ticket)
    due = lead.reply_due
    request = s.extension_request(actor=flow.clerk(lead), assignment=lead, reason="需鉴定", days=5)
    with pytest.raises(Conflict, match="待审核"):
        s.extension_request(actor=flow.clerk(lead), assignment=lead, reason="again", days=1)
    s.extension_decide(actor=people["dispatcher1"], request=request, approve=False, note="不必")
    lead.refresh_from_db()
    assert lead.reply_due == due
    with pytest.raises(Conflict, match="已处理"):
        s.extension_decide(actor=people["dispatcher1"], request=request, approve=True)
    assert UnitRequest.objects.filter(decision="refused").count() == 1


def test_r_un_5_leader_approves_and_rejects_with_reason(flow, people):
    ticket = flow.to("handling")
    reply = flow.reply(ticket)
    with pytest.raises(PermissionDenied):  # a clerk cannot approve
        s.reply_decide(actor=people["zjj_clerk"], reply=reply, approve=True)
    with pytest.raises(PermissionDenied):  # another unit's leader cannot either
        s.reply_decide(actor=people["cgj_leader"], reply=reply, approve=True)
    with pytest.raises(DomainError, match="原因"):
        s.reply_decide(actor=people["zjj_leader"], reply=reply, approve=False)
    s.reply_decide(actor=people["zjj_leader"], reply=reply, approve=False, note="补充时间")
    ticket.refresh_from_db()
    assert ticket.status == Status.HANDLING
    flow.reply(ticket)
    flow.approve_reply(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED


def test_r_fb_4_screening_closes_as_validly_completed(flow, people):
    ticket = flow.to("completed")
    s.visit_record(
        actor=people["visitor1"], ticket=ticket, satisfaction="unsatisfied", resolved=False
    )
    s.ticket_screen(actor=people["dispatcher1"], ticket=ticket, reason="诉求超出政策")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.screened


def test_merge_and_closed_tickets_take_only_annotations_r_da_1(flow, people):
    a, b = flow.to("pending_dispatch"), flow.to("dispatched")
    s.ticket_merge(actor=people["dispatcher1"], ticket=a, into=b, reason="同一电梯")
    a.refresh_from_db()
    assert a.status == Status.MERGED and a.merged_into == b
    closed = flow.to("closed")
    with pytest.raises(Conflict):
        s.ticket_redo(actor=people["visitor1"], ticket=closed, reason="x")
    s.ticket_annotate(actor=people["supervisor1"], ticket=closed, text="归档备注")
    assert closed.events.filter(kind="annotated").exists()


def test_r_in_6_confidential_caller_is_hidden_from_units(flow, people):
    ticket = flow.create(confidential=True)
    flow.dispatch(ticket)
    assert citizen_for(people["zjj_clerk"], ticket)["name"] == "（保密）"
    assert citizen_for(people["operator1"], ticket)["phone"] == "13800001111"
    assert citizen_for(people["analyst1"], ticket)["phone"] == "138****1111"


def test_visible_to_scopes_units_r_se(flow, people):
    zjj = flow.to("dispatched")
    flow.create()  # pending, no unit yet
    assert Ticket.objects.visible_to(people["supervisor1"]).count() == 2
    assert list(Ticket.objects.visible_to(people["zjj_clerk"])) == [zjj]
    assert Ticket.objects.visible_to(people["cgj_clerk"]).count() == 0
    assert list(Ticket.objects.visible_to(people["cd_leader"])) == [zjj]  # the assist


def test_state_machine_is_data_and_refuses_illegal_moves():
    assert check("dispatch", Status.PENDING_DISPATCH) == Status.DISPATCHED
    with pytest.raises(Conflict):
        check("dispatch", Status.CLOSED)
    for allowed, target in TRANSITIONS.values():
        assert allowed and (target is None or target in Status.values)


def test_r_hm_11_pass_down_and_review_before_answering_up(flow, people, units):
    from hotline.accounts.models import User

    ticket = flow.to("handling", lead="QX-CD", assists=())
    lead = flow.lead(ticket)
    with pytest.raises(DomainError, match="下级单位"):
        s.assignment_pass_down(
            actor=people["cd_clerk"], assignment=lead, unit=units["QX-CX-XH"]
        )  # another street's community
    sub = s.assignment_pass_down(actor=people["cd_clerk"], assignment=lead, unit=units["QX-CD-DM"])
    assert sub.reply_due == lead.reply_due
    community_clerk = User.objects.create(username="dm", role="unit_clerk", unit=units["QX-CD-DM"])
    assert Ticket.objects.visible_to(people["cd_clerk"]).filter(pk=ticket.pk).exists()
    assert Ticket.objects.visible_to(community_clerk).filter(pk=ticket.pk).exists()
    s.assignment_sign(actor=community_clerk, assignment=sub)
    with pytest.raises(DomainError, match="尚未审核"):
        flow.reply(ticket)
    s.assist_report(actor=community_clerk, assignment=sub, text="已上门核实")
    with pytest.raises(DomainError, match="原因"):
        s.sub_review(actor=people["cd_clerk"], sub=sub, accept=False)
    s.sub_review(actor=people["cd_clerk"], sub=sub, accept=True)
    flow.reply(ticket)


def test_r_in_5_abuse_is_recorded_per_caller(flow, people):
    from hotline.tickets.selectors import abuse_summary

    ticket = flow.create()
    s.abuse_record(actor=people["operator1"], citizen=ticket.citizen, kind="insult", note="辱骂")
    s.abuse_record(actor=people["operator1"], citizen=ticket.citizen, kind="insult")
    assert abuse_summary(phone=ticket.citizen.phone) == {"insult": 2}
    with pytest.raises(PermissionDenied):
        s.abuse_record(actor=people["zjj_clerk"], citizen=ticket.citizen, kind="insult")
    with pytest.raises(DomainError):
        s.abuse_record(actor=people["operator1"], citizen=ticket.citizen, kind="rude")


def test_r_hm_6_submission_instruction_becomes_the_assignment_deadline(flow, people, at):
    from hotline.sla.models import PolicyVersion

    at(2025, 9, 26, 10, 0)
    lx = PolicyVersion.objects.get(policy__code="LX")
    tickets = [flow.create(policy_version=lx, summary="学校周边交通拥堵") for _ in range(2)]
    with pytest.raises(PermissionDenied):
        s.submission_create(
            actor=people["operator1"], tickets=tickets, kind="submission", title="x", body="y"
        )
    paper = s.submission_create(
        actor=people["dispatcher1"],
        tickets=tickets,
        kind="special_report",
        title="学校周边交通拥堵专报",
        body="两起诉求反映同一问题",
    )
    assert paper.number.startswith("ZB20250926")
    with pytest.raises(PermissionDenied):
        s.submission_instruct(actor=people["dispatcher1"], submission=paper, instruction="x")
    s.submission_instruct(
        actor=people["mayor"],
        submission=paper,
        instruction="请交通局牵头，十个工作日内解决",
        days=8,
    )
    with pytest.raises(Conflict):
        s.submission_instruct(actor=people["mayor"], submission=paper, instruction="again")
    ticket = tickets[0]
    ticket.refresh_from_db()
    flow.dispatch(ticket, lead="QX-JTJ", mode="instruction")
    lead = flow.lead(ticket)
    assert local(lead.reply_due) == dt.datetime(2025, 10, 14, 17, 30)  # 8 days, not LX's 15
    assert ticket.events.filter(kind="instructed").exists()


def test_r_hm_10_citizen_and_unit_are_told_on_dispatch(flow, people):
    from hotline.notifications.models import Notification

    ticket = flow.create()
    flow.dispatch(ticket)
    sms = Notification.objects.get(channel="sms", ticket=ticket)
    assert sms.address == "13800001111" and "市住房和城乡建设局" in sms.body
    inbox = Notification.objects.filter(channel="inbox", ticket=ticket)
    assert {n.recipient.username for n in inbox} == {"zjj_clerk", "zjj_leader"}
