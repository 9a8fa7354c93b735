"""SMS in: signed webhook, replay refused, progress query, visit reply (R-IN-1, R-FB-1,
R-FB-2)."""

import json
import logging
import time

import pytest

from hotline.channels import progress, services, sms, webhooks
from hotline.channels.models import OnlineRequest, SmsVisit
from hotline.notifications.models import Notification

SECRET = "gateway-shared-secret"
URL = "/channels/sms/inbound/"


@pytest.fixture
def post(client, settings, demo):
    settings.HOTLINE_SMS_INBOUND_SECRET = SECRET

    def send(payload, *, secret=SECRET, stamp=None, raw=None, headers=None):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time())) if stamp is None else stamp
        sent = {
            "HTTP_X_HOTLINE_TIMESTAMP": stamp,
            "HTTP_X_HOTLINE_SIGNATURE": webhooks.sign(secret, stamp, body),
        }
        if headers is not None:
            sent = headers
        return client.post(URL, body, content_type="application/json", **sent)

    return send


def _sms(message_id, text, phone="13800006666"):
    return {"id": message_id, "from": phone, "text": text}


def test_new_message_becomes_an_online_request_once(post):
    answer = post(_sms("m1", "人民路 3 号井盖丢了，很危险"))
    assert answer.status_code == 200 and answer.json()["status"] == "stored"
    request = OnlineRequest.objects.get()
    assert (request.channel, request.phone, request.reply_channel) == ("sms", "13800006666", "sms")
    assert (
        request.body == "人民路 3 号井盖丢了，很危险" and request.number == answer.json()["number"]
    )
    replay = post(_sms("m1", "人民路 3 号井盖丢了，很危险"))
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "replay"
    assert OnlineRequest.objects.count() == 1


def test_unsigned_bad_and_stale_signatures_are_refused_and_logged(post, caplog):
    caplog.set_level(logging.WARNING, logger="hotline.channels.webhooks")
    assert post(_sms("m2", "x"), headers={}).json()["error"]["code"] == "unsigned"
    bad = post(_sms("m2", "x"), secret="guess")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_signature"
    stale = post(_sms("m2", "x"), stamp=str(int(time.time()) - 3600))
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "stale"
    assert "bad signature" in caplog.text and "unsigned" in caplog.text
    assert not OnlineRequest.objects.exists()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"id": "m3", "from": "13800006666", "text": "\\u0000"}', "invalid_encoding"),
        (b'{"id": "m3", "from": "13800006666", "text": "\\ud800"}', "invalid_encoding"),
        (b'{"id": "m3", "from": "13800006666", "text": 5}', "invalid_type"),
        (b'{"id": "m3", "from": "abc", "text": "hi"}', "invalid_phone"),
        (b"\xff\xfe not utf-8", "invalid_encoding"),
        (b"[1, 2]", "invalid_json"),
        (b"{not json", "invalid_json"),
    ],
)
def test_bad_payloads_get_clear_errors_and_write_nothing(post, raw, code):
    answer = post(None, raw=raw)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code
    assert not OnlineRequest.objects.exists()
    ok = post(_sms("m3", "内容正常"))  # the id was not used up by the refused message
    assert ok.status_code == 200


def test_oversized_body_is_refused_from_its_length(post):
    answer = post(_sms("m4", "长" * 10000))
    assert answer.status_code == 413 and not OnlineRequest.objects.exists()


def test_closed_channel_answers_clearly(post, users):
    services.channel_configure(actor=users["admin"], channel="sms", open=False)
    answer = post(_sms("m5", "hello"))
    assert answer.status_code == 403 and "暂未开放" in answer.json()["error"]["message"]


def test_progress_query_answers_only_the_tickets_own_phone_r_fb_1(post, operator, flow):
    item = services.online_request_create(
        channel="sms", subject="", body="路灯坏了", phone="13800006666", reply_channel="sms"
    )
    ticket = services.online_request_accept(actor=operator, request=item, kind="help")
    flow.dispatch(ticket)
    assert post(_sms("q1", f"查询 {ticket.number}")).json()["status"] == "answered"
    answer = Notification.objects.get(key="sms-reply:q1")
    assert ticket.number in answer.body and "住房和城乡建设局" in answer.body
    assert answer.address == "13800006666"
    post(_sms("q2", f"查询{ticket.number}", phone="13900000000"))
    post(_sms("q3", "查询 2099010100001", phone="13900000000"))
    wrong, unknown = (Notification.objects.get(key=f"sms-reply:{k}").body for k in ("q2", "q3"))
    assert wrong == unknown == sms.NO_MATCH


def test_visit_reply_records_the_visit_r_fb_2(post, operator, flow):
    item = services.online_request_create(
        channel="sms", subject="", body="路灯坏了", phone="13800006666", reply_channel="sms"
    )
    ticket = services.online_request_accept(actor=operator, request=item, kind="help")
    flow.dispatch(ticket)
    flow.sign(ticket)
    flow.reply(ticket, text="已修复")
    flow.approve_reply(ticket)
    flow.complete(ticket)
    progress.send_notices()
    invite = SmsVisit.objects.get(ticket=ticket)
    question = Notification.objects.get(key__startswith="visit-sms:")
    assert "1 满意" in question.body and "已修复" in question.body
    assert post(_sms("v1", "2")).json()["status"] == "visit_recorded"
    ticket.refresh_from_db()
    visit = ticket.visits.get()
    assert (visit.satisfaction, visit.channel, visit.resolved) == ("basic", "sms", True)
    assert ticket.status == "closed"
    invite.refresh_from_db()
    assert invite.answered_at is not None
    # A later "1" with no visit waiting is an ordinary message.
    assert post(_sms("v2", "1")).json()["status"] == "stored"
