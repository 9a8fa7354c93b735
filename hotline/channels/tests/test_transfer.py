"""Partner endpoints in-process: signatures, replays, bad input, the outbox (ZS 24)."""

import json
import time

import pytest

from hotline.channels import services, transfers, webhooks
from hotline.channels.models import OnlineRequest, Partner, PartnerCall, Transfer
from hotline.tickets.models import Ticket

KEY = "shared"
URL = "/channels/partner/transfers/"


@pytest.fixture
def partner(demo):
    return Partner.objects.create(
        code="yc", name="乙市12345热线", url="http://127.0.0.1:9/", key=KEY
    )


@pytest.fixture
def call(client, partner):
    def post(payload, *, url=URL, code="yc", key=KEY, raw=None):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        return client.post(
            url,
            body,
            content_type="application/json",
            HTTP_X_HOTLINE_PARTNER=code,
            HTTP_X_HOTLINE_TIMESTAMP=stamp,
            HTTP_X_HOTLINE_SIGNATURE=webhooks.sign(key, stamp, body),
        )

    return post


MATTER = {
    "id": "T7",
    "number": "2026120400007",
    "kind": "complaint",
    "summary": "服务区多收费",
    "detail": "加油被多收费",
    "address": "北环服务区",
    "name": "王五",
    "phone": "13800009999",
    "confidential": False,
}


def test_transfer_in_waits_in_the_online_queue_and_accepting_reports_back(call, users):
    answer = call(MATTER)
    assert answer.status_code == 200
    request = OnlineRequest.objects.get()
    assert request.channel == "transfer" and answer.json()["number"] == request.number
    assert call(MATTER).json()["error"]["code"] == "replay"
    ticket = services.online_request_accept(
        actor=users["operator"], request=request, kind="complaint"
    )
    assert ticket.channel == "transfer"
    status = PartnerCall.objects.get(key__startswith="status:")
    assert status.payload["status"] == "accepted" and status.payload["transfer"] == "T7"
    assert status.payload["number"] == ticket.number


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"code": "nobody"}, 401, "unknown_partner"),
        ({"key": "guess"}, 401, "bad_signature"),
        ({"raw": b"not json"}, 400, "invalid_json"),
        ({"payload": {**MATTER, "phone": ""}}, 400, "no_contact"),
        ({"payload": {**MATTER, "summary": "x\x00"}}, 400, "invalid_encoding"),
        ({"payload": {**MATTER, "confidential": "yes"}}, 400, "invalid_type"),
        ({"payload": {**MATTER, "summary": "长" * 201}}, 400, "too_long"),
    ],
)
def test_bad_partner_calls_are_refused(call, change, status, code):
    payload = change.pop("payload", MATTER)
    answer = call(payload, **change)
    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert not OnlineRequest.objects.exists()


def test_closed_transfer_channel_answers_clearly(call, users):
    services.channel_configure(actor=users["admin"], channel="transfer", open=False)
    answer = call(MATTER)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "channel_closed"


def test_transfer_out_queues_public_content_and_a_status_closes_the_loop(
    call, partner, flow, users
):
    ticket = flow.create(summary="乙市的事", detail="乙市境内")
    flow_note = "内部备注：勿外传"
    from hotline.tickets.services import ticket_annotate

    ticket_annotate(actor=users["operator"], ticket=ticket, text=flow_note)
    made = transfers.transfer_out(actor=users["operator"], ticket=ticket, partner=partner)
    sent = PartnerCall.objects.get(key=f"transfer:{made.pk}")
    assert flow_note not in json.dumps(sent.payload, ensure_ascii=False)
    assert sent.payload["summary"] == "乙市的事" and sent.payload["phone"] == "13800001111"
    with pytest.raises(Exception, match="已转至"):
        transfers.transfer_out(actor=users["operator"], ticket=ticket, partner=partner)
    # The partner is down: the call waits for a retry, nothing is lost.
    assert transfers.deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    answer = call(
        {"id": "S1-completed", "transfer": f"T{made.pk}", "status": "completed",
         "number": "Y001", "text": "已退费"},
        url="/channels/partner/transfers/status/",
    )  # fmt: skip
    assert answer.status_code == 200
    made.refresh_from_db()
    assert (made.state, made.remote_number, made.result) == ("completed", "Y001", "已退费")
    notes = [
        e.data["text"] for e in Ticket.objects.get(pk=ticket.pk).events.filter(kind="annotated")
    ]
    assert any("乙市12345热线已办结" in n and "已退费" in n for n in notes)
    unknown = call({"id": "S2", "transfer": "T999", "status": "completed"},
                   url="/channels/partner/transfers/status/")  # fmt: skip
    assert unknown.status_code == 400
    assert Transfer.objects.count() == 1


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_transfer_in_keeps_good_attachments_and_says_why_others_were_dropped(call, users):
    """ZS 24: a partner's public files come with the matter; bad ones are recorded."""
    files = [
        {"name": "现场.png", "data": _b64(PNG)},
        {"name": "virus.exe", "data": _b64(b"MZ\x90\x00")},
        {"name": "broken.png", "data": "%%% not base64"},
    ]
    assert call({**MATTER, "attachments": files}).status_code == 200
    request = OnlineRequest.objects.get()
    assert [a.name for a in request.attachments.all()] == ["现场.png"]
    assert {d["name"] for d in request.dropped} == {"virus.exe", "broken.png"}
    ticket = services.online_request_accept(
        actor=users["operator"], request=request, kind="complaint"
    )
    assert [a.name for a in ticket.attachments.all()] == ["现场.png"]
    bad = call({**MATTER, "id": "T8", "attachments": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_type"


def test_transfer_out_sends_public_files_never_evidence(partner, flow, users):
    from django.core.files.base import ContentFile

    from hotline.tickets.services import attachment_add

    ticket = flow.create(summary="乙市的事", detail="乙市境内")
    operator = users["operator"]
    attachment_add(actor=operator, ticket=ticket, upload=ContentFile(PNG, name="photo.png"))
    secret = ContentFile(b"evidence", name="evidence.txt")
    attachment_add(actor=operator, ticket=ticket, upload=secret, evidence=True)
    made = transfers.transfer_out(actor=operator, ticket=ticket, partner=partner)
    queued = PartnerCall.objects.get(key=f"transfer:{made.pk}").payload
    body = transfers._expand_files(queued)  # what deliver_due posts
    files = body["attachments"]
    assert [(f["name"], f["content_type"]) for f in files] == [("photo.png", "image/png")]
    assert files[0]["data"] == _b64(PNG)
    assert "evidence" not in json.dumps(body)


def test_a_mail_only_citizen_can_be_transferred_in(call, users):
    """ZS 24: the partner's citizen may have only an e-mail address (issue 13)."""
    assert call({**MATTER, "id": "T9", "phone": "", "email": "wang@example.org"}).status_code == 200
    request = OnlineRequest.objects.get()
    ticket = services.online_request_accept(
        actor=users["operator"], request=request, kind="complaint"
    )
    assert (ticket.citizen.phone, ticket.citizen.email) == ("", "wang@example.org")
    assert transfers.public_content(ticket)["email"] == "wang@example.org"
