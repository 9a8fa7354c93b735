"""The unit clerk's inbox (R-UN-1, R-UN-4, R-UN-5): search and filters, bulk sign, the
reply with its handling result and files, the reply check while writing, the submitted
reply visible and withdrawable until the leader decides; the leader lands on 待审核答复."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.core.errors import Conflict
from hotline.tickets import services as s
from hotline.tickets.models import Attachment, Reply

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _post(client, assignment, action, data=None, follow=True):
    return client.post(
        f"/inbox/?a={assignment.pk}",
        {"action": action, "assignment": assignment.pk, **(data or {})},
        follow=follow,
    )


def test_r_un_5_leader_lands_on_replies_to_approve(client, people):
    client.force_login(people["zjj_leader"])
    assert client.get("/inbox/").context["tab"] == "approve"
    client.force_login(people["zjj_clerk"])
    assert client.get("/inbox/").context["tab"] == "sign"


def test_r_un_1_search_and_bulk_sign(client, people, flow):
    first = flow.to("dispatched", summary="小区电梯停运", address="江滨路8号")
    second = flow.to("dispatched", summary="楼道堆放杂物")
    client.force_login(people["zjj_clerk"])
    found = client.get("/inbox/?tab=sign&q=电梯").context["rows"]
    assert [r["obj"].ticket for r in found] == [first]
    found = client.get(f"/inbox/?tab=sign&q={second.number}").context["rows"]
    assert [r["obj"].ticket for r in found] == [second]
    assert [r["obj"].ticket for r in client.get("/inbox/?tab=sign&q=江滨路").context["rows"]] == [
        first
    ]
    ids = [flow.lead(first).pk, flow.lead(second).pk]
    response = client.post("/inbox/?tab=sign", {"action": "bulk_sign", "ids": ids}, follow=True)
    assert "已签收 2 张工单" in response.content.decode()
    assert {flow.lead(t).state for t in (first, second)} == {"handling"}


def test_r_un_4_reply_with_result_and_site_photo(client, people, flow):
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    client.force_login(people["zjj_clerk"])
    data = {"rp-text": "已更换电梯主板，待检测", "rp-result": "partly"}
    response = _post(client, lead, "reply", data, follow=False)
    assert (
        response.status_code == 400 and "部分解决或未解决时请说明原因" in response.content.decode()
    )
    bad = SimpleUploadedFile("现场.png", b"not a png at all")
    response = _post(
        client, lead, "reply", {**data, "rp-result_reason": "待检测", "rp-attachments": bad}, False
    )
    assert response.status_code == 400
    assert not Reply.objects.exists() and not Attachment.objects.exists()  # nothing half-saved
    photo = SimpleUploadedFile("现场.png", PNG)
    _post(client, lead, "reply", {**data, "rp-result_reason": "待检测", "rp-attachments": photo})
    reply = lead.replies.get()
    assert (reply.result, reply.result_reason) == ("partly", "待检测")
    assert Attachment.objects.get().name == "现场.png"


def test_r_un_5_reply_check_while_writing(client, people, flow):
    ticket = flow.to("handling")
    client.force_login(people["zjj_clerk"])
    html = client.get(
        "/workbench/inbox/reply-check/", {"a": flow.lead(ticket).pk, "rp-text": "已处理。"}
    ).content.decode()
    assert "reply-check" in html and "data-score" in html


def test_r_un_5_submitted_reply_visible_and_withdrawable(client, people, flow):
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    reply = flow.reply(ticket, text="已协调物业维修电梯")
    client.force_login(people["zjj_clerk"])
    body = client.get(f"/inbox/?a={lead.pk}").content.decode()
    assert 'id="pending-reply"' in body and "已协调物业维修电梯" in body
    response = client.post(
        f"/inbox/?a={lead.pk}", {"action": "reply_withdraw", "reply": reply.pk}, follow=True
    )
    reply.refresh_from_db()
    assert reply.state == Reply.State.WITHDRAWN and "msg-success" in response.content.decode()
    assert 'name="rp-text"' in response.content.decode()  # write it again
    second = flow.reply(ticket, text="已协调物业维修电梯并检测合格")
    flow.approve_reply(ticket)
    with pytest.raises(Conflict):
        s.reply_withdraw(actor=people["zjj_clerk"], reply=Reply.objects.get(pk=second.pk))
