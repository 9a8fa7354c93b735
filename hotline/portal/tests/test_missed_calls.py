"""Missed calls (漏话回拨): import by file and JSON, call-back attempts, the board's share."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.core import clock
from hotline.portal import missed_calls
from hotline.portal.models import MissedCall

pytestmark = pytest.mark.django_db
CSV = "呼叫编号,主叫号码,来电时间,中继线路\nC1,13900005555,{t1},1\nC2,13900006666,{t2},2\n"


def _csv(**times):
    return SimpleUploadedFile("calls.csv", CSV.format(**times).encode("utf-8"))


def test_csv_import_is_idempotent_and_all_or_nothing(client, users):
    client.force_login(users["operator"])
    now = clock.now().strftime("%Y-%m-%d %H:%M:%S")
    page = client.post("/portal/missed-calls/", {"file": _csv(t1=now, t2=now)})
    assert page.status_code == 200 and MissedCall.objects.count() == 2
    again = client.post("/portal/missed-calls/", {"file": _csv(t1=now, t2=now)})
    assert "跳过已有 2 条" in again.content.decode() and MissedCall.objects.count() == 2
    MissedCall.objects.all().delete()
    bad = client.post("/portal/missed-calls/", {"file": _csv(t1=now, t2="昨天")})
    assert bad.status_code == 400 and "时间格式" in bad.content.decode()
    assert not MissedCall.objects.exists()  # nothing half-written


def test_json_import_checks_types_and_needs_an_operator(client, users):
    body = [{"external_id": "J1", "phone": "13900007777", "called_at": "2026-12-04T09:00:00"}]
    url = "/portal/missed-calls/import/"
    assert client.post(url, json.dumps(body), content_type="application/json").status_code in (
        302,
        401,
    )
    client.force_login(users["operator"])
    ok = client.post(url, json.dumps(body), content_type="application/json")
    assert ok.status_code == 200 and ok.json() == {"created": 1, "skipped": 0}
    wrong = [{"external_id": 5, "phone": "1", "called_at": "x"}]
    bad = client.post(url, json.dumps(wrong), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    nul = client.post(
        url,
        b'[{"external_id": "A\\u0000", "phone": "13900007777", '
        b'"called_at": "2026-12-04T09:00:00"}]',
        content_type="application/json",
    )
    assert nul.status_code == 400
    raw = client.post(url, b"\xff\xfe", content_type="application/json")
    assert raw.status_code == 400 and MissedCall.objects.count() == 1


def test_call_back_attempts_and_share_within_minutes(users):
    operator = users["operator"]
    now = clock.now()
    rows, errors = missed_calls.parse_json(
        [
            {
                "external_id": "A",
                "phone": "13900000001",
                "called_at": (now - dt.timedelta(minutes=10)).isoformat(),
            },
            {
                "external_id": "B",
                "phone": "13900000002",
                "called_at": (now - dt.timedelta(hours=2)).isoformat(),
            },
        ]
    )
    assert not errors
    missed_calls.missed_calls_import(actor=operator, rows=rows)
    a, b = MissedCall.objects.get(external_id="A"), MissedCall.objects.get(external_id="B")
    missed_calls.callback_record(actor=operator, missed_call=a, outcome="reached")
    for _ in range(3):
        missed_calls.callback_record(actor=operator, missed_call=b, outcome="no_answer")
    b.refresh_from_db()
    assert b.state == "given_up" and b.attempts == 3
    share = missed_calls.callback_share(minutes=30)
    assert (share.total, share.within, share.waiting, share.percent) == (2, 1, 0, 50.0)
    with pytest.raises(Exception, match="回拨处理完毕"):
        missed_calls.callback_record(actor=operator, missed_call=a, outcome="reached")


def test_share_shows_on_the_supervisor_board(client, users):
    client.force_login(users["supervisor"])
    page = client.get("/supervision/")
    assert page.status_code == 200 and 'id="missed-call-share"' in page.content.decode()


def test_open311_key_page_for_administrators_only(client, users):
    client.force_login(users["operator"])
    assert client.get("/portal/manage/open311/").status_code == 403
    client.force_login(users["admin"])
    page = client.post("/portal/manage/open311/", {"name": "随手拍"})
    html = page.content.decode()
    assert page.status_code == 200 and "离开本页后无法再次查看" in html
    import re

    from hotline.portal.models import Open311App
    from hotline.portal.open311 import key_hash

    key = re.search(r'<section class="card" id="issued">.*?<code>([^<]+)</code>', html, re.S)
    assert Open311App.objects.get(name="随手拍").key_hash == key_hash(key.group(1))
