"""Delivery through real servers on 127.0.0.1; retries with backoff; never twice."""

import datetime as dt

import pytest
import time_machine

from hotline.notifications.models import Notification, NotificationChannel, State
from hotline.notifications.services import MAX_ATTEMPTS, deliver_due, notify
from hotline.notifications.tests.servers import GatewayServer, SMTPServer, start


@pytest.fixture
def smtp(settings):
    server = start(SMTPServer())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(settings):
    server = start(GatewayServer())
    host, port = server.server_address
    settings.HOTLINE_SMS_URL = f"http://{host}:{port}/send"
    settings.HOTLINE_SMS_KEY = "secret-key"
    yield server
    server.shutdown()
    server.server_close()


def test_email_goes_through_smtp(db, smtp):
    notify(
        channel=NotificationChannel.EMAIL,
        address="unit@example.org",
        subject="催办通知",
        body="工单 2025092600001 将于 10-16 到期",
    )
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    (mail,) = smtp.received
    assert mail["to"] == ["unit@example.org"]
    assert Notification.objects.get().state == State.SENT


def test_sms_goes_through_the_gateway_with_the_key(db, gateway):
    notify(
        channel=NotificationChannel.SMS, address="13900000000", subject="催办", body="请尽快办理"
    )
    deliver_due()
    (request,) = gateway.received
    assert request["auth"] == "Bearer secret-key"
    assert request["body"] == {"phone": "13900000000", "text": "请尽快办理"}
    assert request["key"] == f"notification-{Notification.objects.get().pk}"


def test_failures_retry_with_backoff_then_give_up(db, gateway):
    gateway.statuses = [503, 503]
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        notify(channel=NotificationChannel.SMS, address="13900000000", subject="x", body="y")
        assert deliver_due()["retry"] == 1
        note = Notification.objects.get()
        assert note.state == State.PENDING and "503" in note.last_error
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
        traveller.shift(dt.timedelta(minutes=3))
        assert deliver_due()["retry"] == 1
        traveller.shift(dt.timedelta(minutes=5))
        assert deliver_due()["sent"] == 1
    assert len(gateway.received) == 3


def test_a_message_no_attempt_can_deliver_is_given_up_at_once(db, settings):
    """No gateway configured (the demo) or no address: failed on its first attempt with
    the reason, not retried every few minutes (a demo tick retried 200 SMS each pass)."""
    settings.HOTLINE_SMS_URL = ""
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False) as traveller:
        notify(channel=NotificationChannel.SMS, address="13900000000", subject="催办", body="y")
        notify(channel=NotificationChannel.EMAIL, address="", subject="催办", body="y")
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 2}
        traveller.shift(dt.timedelta(days=1))
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    mail, sms = Notification.objects.order_by("channel")
    assert (mail.channel, sms.channel) == ("email", "sms")
    assert sms.state == State.FAILED and sms.attempts == 1 and "短信网关" in sms.last_error
    assert mail.state == State.FAILED and mail.attempts == 1


def test_unreachable_gateway_is_given_up_and_visible(db, settings, client, django_user_model):
    settings.HOTLINE_SMS_URL = "http://127.0.0.1:9/nothing-listens"
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False) as traveller:
        notify(channel=NotificationChannel.SMS, address="13900000000", subject="催办", body="y")
        for _ in range(MAX_ATTEMPTS):
            deliver_due()
            traveller.shift(dt.timedelta(days=1))
    note = Notification.objects.get()
    assert note.state == State.FAILED and note.attempts == MAX_ATTEMPTS
    supervisor = django_user_model.objects.create(username="s", role="supervisor")
    client.force_login(supervisor)
    assert "催办" in client.get("/notifications/log/").content.decode()


def test_same_key_is_queued_once(db):
    first = notify(
        channel=NotificationChannel.SMS, address="1", subject="s", body="b", key="remind:1:2"
    )
    again = notify(
        channel=NotificationChannel.SMS, address="1", subject="s", body="b", key="remind:1:2"
    )
    assert first is not None and again is None
    assert Notification.objects.count() == 1


def test_two_workers_never_send_the_same_message(db, gateway):
    from hotline.notifications.services import _claim

    notify(channel=NotificationChannel.SMS, address="13900000000", subject="s", body="b")
    assert len(_claim(10)[1]) == 1
    assert _claim(10)[1] == []  # already claimed by the first worker


def test_a_message_of_a_killed_worker_is_sent_again_with_the_same_key(db, gateway, settings):
    """Issue 14 item 13: a tick killed between its claim and its commit leaves the message
    `sending`; after the claim timeout the next pass sends it (not lost), with the same
    Idempotency-Key (a gateway that saw it drops the repeat); the dead worker's claim can
    no longer write over the outcome."""
    from hotline.notifications.services import _claim, _deliver

    settings.HOTLINE_NOTIFY_CLAIM_SECONDS = 60
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        notify(
            channel=NotificationChannel.SMS, address="13900000000", subject="催办", body="请办理"
        )
        dead_claim, _ = _claim(10)  # the worker is killed here, before sending
        traveller.shift(dt.timedelta(seconds=59))
        assert deliver_due()["sent"] == 0  # still within the dead worker's claim
        traveller.shift(dt.timedelta(seconds=2))
        assert deliver_due()["sent"] == 1
        note = Notification.objects.get()
        assert note.state == State.SENT and note.claimed_at is None
        counts = {"sent": 0}
        _deliver(note, dead_claim, counts)  # a late write under the old claim changes nothing
        assert counts == {"sent": 0, "lost_claim": 1}
    keys = [r["key"] for r in gateway.received]
    assert keys == [f"notification-{note.pk}"] * 2
    assert Notification.objects.get().attempts == 1


@pytest.mark.django_db(transaction=True)
def test_claims_skip_rows_another_worker_holds(gateway):
    """Issue 14 item 15: on PostgreSQL a tick claiming messages skips the rows another
    tick has locked (FOR UPDATE SKIP LOCKED) and takes the next ones, without waiting."""
    import threading

    from django.db import connection, connections, transaction

    from hotline.notifications.services import _claim

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    for i in range(3):
        notify(channel=NotificationChannel.SMS, address=f"1390000000{i}", subject="s", body="b")
    first = Notification.objects.order_by("next_attempt_at", "id").first()
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(20)
        _, taken = _claim(10)
    finally:
        release.set()
        thread.join()
    assert len(taken) == 2 and first.pk not in {n.pk for n in taken}


def test_inbox_is_personal(client, users):
    clerk = users["unit_clerk"]
    notify(
        channel=NotificationChannel.INBOX, recipient=clerk, subject="新工单待签收", body="请签收"
    )
    client.force_login(clerk)
    body = client.get("/notifications/").content.decode()
    assert "新工单待签收" in body
    note = Notification.objects.get()
    client.post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is not None
    client.force_login(users["operator"])
    assert "新工单待签收" not in client.get("/notifications/").content.decode()
