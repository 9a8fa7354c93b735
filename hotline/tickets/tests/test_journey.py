"""Whole journeys, intake to closed, with the deadlines each regulation sets."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.core.errors import DomainError
from hotline.sla.models import PolicyVersion
from hotline.sla.services import policy_install_preset
from hotline.tickets import services as s
from hotline.tickets.models import Reply
from hotline.tickets.states import Status

SH = ZoneInfo("Asia/Shanghai")


def local(moment):
    return moment.astimezone(SH).replace(tzinfo=None)


def test_kj_journey_with_assist_refusal_redo_and_close_r_dl_2_r_dl_3(flow, people, at):
    """KJ, a help request on the Friday before National Day 2025 (10 working days)."""
    at(2025, 9, 26, 10, 0)
    ticket = flow.create(kind="help")
    assert ticket.status == Status.PENDING_DISPATCH
    assert ticket.number.startswith("20250926")
    flow.dispatch(ticket, assists=("QX-CD",))
    lead = flow.lead(ticket)
    assert local(lead.reply_due) == dt.datetime(2025, 10, 16, 17, 30)
    assert local(lead.sign_due) == dt.datetime(2025, 9, 28, 17, 30)  # Sunday, 调休
    notice = ticket.events.get(kind="dispatched").data["citizen_notice"]
    assert "市住房和城乡建设局" in notice and "2025-10-16 17:30" in notice  # R-HM-10

    at(2025, 9, 28, 9, 0)
    flow.sign(ticket)
    with pytest.raises(DomainError, match="不得延期"):  # KJ 二(一)
        s.extension_request(actor=flow.clerk(lead), assignment=lead, reason="复杂", days=3)
    assist = ticket.assignments.get(role="assist")
    s.assignment_sign(actor=people["cd_clerk"], assignment=assist)
    s.assist_report(actor=people["cd_clerk"], assignment=assist, text="社区已走访")

    at(2025, 10, 10, 10, 0)
    flow.reply(ticket)
    flow.approve_reply(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED

    at(2025, 10, 13, 10, 0)  # three working hours... the hotline reviewed from 10-10 10:00
    s.completion_decide(
        actor=people["dispatcher1"], ticket=ticket, approve=False, note="未答复电梯维修时间"
    )
    lead.refresh_from_db()
    # From first receipt; the review (10-10 10:00 to 10-13 10:00, 2 working days) not counted.
    assert local(lead.reply_due) == dt.datetime(2025, 10, 20, 17, 30)

    at(2025, 10, 14, 9, 0)
    flow.reply(ticket, text="已修复，10月15日恢复运行")
    flow.approve_reply(ticket)
    flow.complete(ticket)
    s.visit_record(
        actor=people["visitor1"],
        ticket=ticket,
        satisfaction="unsatisfied",
        resolved=False,
        note="仍经常停运",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED

    at(2025, 10, 15, 9, 0)
    s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="回访不满意")
    lead.refresh_from_db()
    assert local(lead.reply_due) == dt.datetime(2025, 10, 29, 17, 30)  # KJ redo: restart
    flow.reply(ticket, text="更换主板，已连续运行")
    flow.approve_reply(ticket)
    flow.complete(ticket)
    s.visit_record(actor=people["visitor1"], ticket=ticket, satisfaction="satisfied", resolved=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count("redo") == 1 and kinds.count("completion_refused") == 1
    assert kinds[0] == "received" and kinds[-1] == "visited"


@pytest.mark.parametrize(
    ("code", "kind", "mode", "extra", "due"),
    [
        ("LX", "complaint", "written", {}, dt.datetime(2025, 10, 16, 17, 30)),  # 交办 10
        (
            "LX",
            "complaint",
            "instruction",
            {"instruction": "请住建局牵头尽快解决", "instruction_days": 8},
            dt.datetime(2025, 10, 14, 17, 30),
        ),  # 批示 sets its own deadline
        ("KM", "help", "written", {}, dt.datetime(2025, 10, 13, 17, 30)),  # 7
        ("KM", "help", "phone", {}, dt.datetime(2025, 9, 30, 17, 30)),  # 3
        ("ZS", "help", "written", {"catalog_days": 12}, dt.datetime(2025, 10, 20, 17, 30)),
        ("SR", "consult", "written", {}, dt.datetime(2025, 9, 30, 17, 30)),  # parameter 3
    ],
)
def test_preset_journeys_r_dl_2(flow, people, at, code, kind, mode, extra, due):
    if code == "SR":
        policy_install_preset(
            actor=people["admin"],
            code="SR",
            parameters={"consult_days": 3, "complaint_days": 7, "complex_max_days": 30},
        )
    version = PolicyVersion.objects.filter(policy__code=code).latest("number")
    at(2025, 9, 26, 10, 0)
    ticket = flow.create(kind=kind, policy_version=version)
    flow.dispatch(ticket, mode=mode, **extra)
    lead = flow.lead(ticket)
    assert local(lead.reply_due) == due
    at(2025, 9, 29, 9, 0)
    flow.sign(ticket)
    if code in ("LX", "ZS"):  # extensions allowed there (LX 四3, ZS 18)
        request = s.extension_request(
            actor=flow.clerk(lead), assignment=lead, reason="需现场勘查", days=2
        )
        s.extension_decide(actor=people["dispatcher1"], request=request, approve=True)
        lead.refresh_from_db()
        assert lead.reply_due > due.replace(tzinfo=SH)
        assert "延期办理" in ticket.events.get(kind="extension_approved").data["citizen_notice"]
    flow.reply(ticket)
    flow.approve_reply(ticket)
    flow.complete(ticket)
    s.visit_record(
        actor=people["visitor1"], ticket=ticket, satisfaction="unsatisfied", resolved=False
    )
    s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="不满意")
    flow.reply(ticket)
    flow.approve_reply(ticket)
    flow.complete(ticket)
    s.visit_record(actor=people["visitor1"], ticket=ticket, satisfaction="basic", resolved=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.policy_version == version


def test_policy_version_is_kept_after_edit(flow, people):
    """A ticket keeps the version it was created under (R-DL-2, versioning)."""
    ticket = flow.create()
    from hotline.sla.policy_json import to_dict
    from hotline.sla.services import policy_version_create

    old = ticket.policy_version
    data = to_dict(old.as_policy())
    data["rules"][2]["reply"]["amount"] = 20
    policy_version_create(actor=people["admin"], policy=old.policy, data=data, note="改")
    flow.dispatch(ticket)
    ticket.refresh_from_db()
    assert ticket.policy_version == old
    assert flow.lead(ticket).reply_due  # computed with the old 10 days, not 20
    assert Reply.objects.count() == 0
