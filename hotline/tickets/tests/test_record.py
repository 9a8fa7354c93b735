"""The ticket page is the whole record (R-DA-1): replies per round with the leader's
decision, requests, visits, redos with their deadline, merges both ways (callers masked
by role), submissions; evidence names hidden from units (KM 19) on the page and in the
API's events."""

from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.tickets import services as s
from hotline.tickets.models import IntakeOutcome


def _page(client, user, ticket):
    client.force_login(user)
    response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_r_da_1_replies_visits_and_redo_on_the_page(client, people, flow):
    ticket = flow.to("completed")
    s.visit_record(
        actor=people["visitor1"],
        ticket=ticket,
        satisfaction="unsatisfied",
        resolved=False,
        note="电梯仍然停运",
    )
    s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="回访不满意，电梯未修复")
    lead = flow.lead(ticket)
    lead.refresh_from_db()
    flow.reply(ticket, text="第二轮：已更换电梯主板")
    body = _page(client, people["dispatcher1"], ticket)
    assert "已协调物业修复电梯" in body and "第二轮：已更换电梯主板" in body
    assert "第 1 轮答复" in body and "第 2 轮答复" in body
    assert "陈志强" in body  # the unit leader who approved round 1
    assert "电梯仍然停运" in body and "不满意" in body
    assert "回访不满意，电梯未修复" in body
    assert lead.reply_due.astimezone().strftime("%Y-%m-%d") in body  # the redo's deadline
    assert "已派单办理" in body and "待派单" not in body


def test_r_da_1_no_not_dispatched_on_a_ticket_answered_at_once(client, people, flow):
    ticket = flow.create(intake_outcome=IntakeOutcome.ANSWER_NOW, answer="请拨打物业电话")
    body = _page(client, people["dispatcher1"], ticket)
    assert "尚未派单" not in body and "无需派单" in body


def test_r_da_1_merge_both_ways_callers_masked_by_role(client, people, flow):
    target = flow.to("handling")
    dup = flow.create(phone="13812345678", name="李四", summary="电梯又坏了")
    s.ticket_merge(actor=people["dispatcher1"], ticket=dup, into=target, reason="同一电梯")
    body = _page(client, people["dispatcher1"], dup)
    assert f'href="/tickets/{target.number}/"' in body
    body = _page(client, people["dispatcher1"], target)
    assert dup.number in body and "13812345678" in body and "李四" in body
    body = _page(client, people["supervisor1"], target)  # no personal data for this role
    assert dup.number in body and "13812345678" not in body and "138****5678" in body


def test_r_hm_6_submission_and_instruction_on_the_page(client, people, flow):
    ticket = flow.to("pending_dispatch")
    sub = s.submission_create(
        actor=people["dispatcher1"],
        tickets=[ticket],
        kind="submission",
        title="老旧小区电梯问题",
        body="多处反映",
    )
    s.submission_instruct(actor=people["mayor"], submission=sub, instruction="请住建局牵头", days=5)
    body = _page(client, people["dispatcher1"], ticket)
    assert "老旧小区电梯问题" in body and "请住建局牵头" in body


def test_km_19_evidence_name_hidden_from_units_in_page_and_api(client, people, flow):
    ticket = flow.to("handling", kind="complaint")
    upload = SimpleUploadedFile("举报人录音.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    s.attachment_add(actor=people["operator1"], ticket=ticket, upload=upload, evidence=True)
    assert "举报人录音.png" in _page(client, people["dispatcher1"], ticket)
    assert "举报人录音.png" not in _page(client, people["zjj_clerk"], ticket)
    api = client.get(f"/api/tickets/{ticket.number}").json()
    attached = [e for e in api["events"] if e["kind"] == "attached"]
    assert attached and "举报人录音" not in str(attached)
    client.force_login(people["dispatcher1"])
    api = client.get(f"/api/tickets/{ticket.number}").json()
    assert "举报人录音.png" in str(api["events"])
