"""What a portal request writes (issue 13): on SQLite every write statement waits for the
database's one write lock, so the submit and the track keep their writes few and short."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.channels import services as channel_services
from hotline.core import clock
from hotline.portal import throttle
from hotline.portal.captchas import Captcha, take
from hotline.portal.models import Throttle
from hotline.portal.tests.conftest import PHONE, submit

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_hit_is_one_statement_and_counts_every_hit():
    for expected in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            throttle.hit("scope", "10.0.0.1", limit=3, seconds=60)
        assert len(queries) == 1  # an UPDATE, a SELECT and sometimes an INSERT before
        assert Throttle.objects.get().hits == expected
    with pytest.raises(throttle.TooMany):
        throttle.hit("scope", "10.0.0.1", limit=3, seconds=60)
    assert Throttle.objects.get().hits == 4  # the refused hit is counted too
    throttle.hit("scope", "10.0.0.2", limit=3, seconds=60)  # another key: its own row
    assert Throttle.objects.count() == 2


def _check(key: str, answer: str):
    return Captcha().clean([key, answer])


def test_picture_code_is_checked_with_one_write_and_used_once():
    from django.core.exceptions import ValidationError

    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    stale = CaptchaStore.generate_key()  # another citizen's: the check leaves it alone
    with CaptureQueriesContext(connection) as queries:
        _check(key, answer.upper())
    assert len(queries) == 1 and len(_writes(queries)) == 1  # no sweep of expired codes
    assert not CaptchaStore.objects.filter(hashkey=key).exists()
    with pytest.raises(ValidationError):
        _check(key, answer)  # used once
    wrong = CaptchaStore.generate_key()
    with pytest.raises(ValidationError):
        _check(wrong, "nope")
    assert not CaptchaStore.objects.filter(hashkey=wrong).exists()  # a wrong try uses it up
    assert CaptchaStore.objects.filter(hashkey=stale).exists()


def test_an_expired_picture_code_is_refused():
    from django.core.exceptions import ValidationError

    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    with time_machine.travel(clock.now() + dt.timedelta(hours=1)):
        with pytest.raises(ValidationError):
            _check(key, answer)
        assert take(key) is None  # left for the tick's sweep
    assert CaptchaStore.objects.filter(hashkey=key).exists()


def test_submit_writes_outside_its_transaction_only_the_code_and_the_counter(citizen):
    """Before: a sweep of expired picture codes, a read of the code, and an UPDATE, a
    SELECT (and a first INSERT) for the address counter, each on the write lock; the review
    deadline's reads inside the request's transaction."""
    submit(citizen)  # the counter's row exists: the steady state
    with CaptureQueriesContext(connection) as queries:
        response = submit(citizen)
    assert response.status_code == 200
    sql = [q["sql"] for q in queries]
    assert not any("captcha_captchastore" in s and "expiration" in s and "<=" in s for s in sql)
    assert sum("captcha_captchastore" in s for s in sql) == 1
    assert sum("portal_throttle" in s for s in sql) == 1
    opened = next(i for i, s in enumerate(sql) if s.startswith(("SAVEPOINT", "BEGIN")))
    before = sql[:opened]
    assert any("sla_policyversion" in s for s in before)  # the deadline, before the lock
    assert len(sql) <= 16  # 20 before


def test_an_anonymous_tracker_gets_no_session_row(client, demo, portal):
    online = channel_services.online_request_create(
        channel="web", subject="噪音", body="夜间施工噪音", phone=PHONE, reply_channel="sms"
    )
    client.get("/portal/track/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/portal/track/", {"number": online.number, "phone": PHONE})
    assert "等待热线审核受理" in response.content.decode()
    assert _writes(queries) == [] and not Session.objects.exists()
    assert "sessionid" not in response.cookies


def test_track_finds_a_ticket_by_its_callers_phone_or_an_online_requests(flow):
    from hotline.portal import selectors

    ticket = flow.create(phone="13800001111")
    other = channel_services.online_request_create(
        channel="web", subject="同一件事", body="电梯停运", phone=PHONE, reply_channel="sms"
    )
    type(other).objects.filter(pk=other.pk).update(ticket=ticket)
    by_caller = selectors.track(number=ticket.number, phone="13800001111")
    assert by_caller.ticket == ticket and by_caller.request is None
    by_request = selectors.track(number=ticket.number.lower(), phone=PHONE)
    assert by_request.ticket == ticket and by_request.request == other
    assert len(by_request.steps) > len(by_caller.steps)  # the request's own steps too
    assert selectors.track(number=ticket.number, phone="13911112222") is None
    assert selectors.track(number="X" + ticket.number, phone="13800001111") is None


def test_tracking_a_calls_ticket_reads_three_times(client, flow, portal):
    """The limit, the ticket with its caller's phone and online request, its events: the
    ticket was read with a DISTINCT over an OR of two joins, then its online request."""
    ticket = flow.create(phone=PHONE)
    client.get("/portal/track/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/portal/track/", {"number": ticket.number, "phone": PHONE})
    assert "当前状态" in response.content.decode()
    assert len(queries) == 3 and not any("DISTINCT" in q["sql"] for q in queries)
