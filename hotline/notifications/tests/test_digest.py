"""The daily digest (issue 15 item 15, R-SV-1): a clerk who chose it gets one message a
day listing the routine reminders, through the outbox under one key per user and day;
an urgent ticket's reminder still comes at once; those who did not choose it get each."""

from hotline.notifications.digest import send_digests
from hotline.notifications.models import DigestItem, Notification
from hotline.site.tick import run_once
from hotline.supervision import sweep as sweeper
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures


def _reminders_in_inbox(user):
    return Notification.objects.filter(
        recipient=user, channel="inbox", key__startswith="reminder:"
    ).count()


def test_routine_reminders_in_one_daily_digest_urgent_at_once_r_sv_1(flow, people, at, client):
    clerk, leader = people["zjj_clerk"], people["zjj_leader"]
    client.force_login(clerk)
    assert client.post("/notifications/digest/", {"daily_digest": "on"}).status_code == 302
    at(2025, 9, 26, 10, 0)
    first = flow.to("handling", assists=(), summary="路灯不亮")
    second = flow.to("handling", assists=(), summary="井盖缺失")
    urgent = flow.to("handling", assists=(), summary="燃气味道", urgency="urgent")
    # KJ help: reminders on 10-10 08:30 for all three.
    at(2025, 10, 10, 8, 31)
    assert sweeper.sweep()["reminders"] == 3
    assert _reminders_in_inbox(leader) == 3  # did not choose the digest
    held = Notification.objects.filter(recipient=clerk, key__startswith="reminder:")
    assert [n.ticket_id for n in held] == [urgent.pk]  # the urgent one at once
    assert DigestItem.objects.filter(recipient=clerk).count() == 2
    assert send_digests() == {"digests": 0}  # before 09:00
    at(2025, 10, 10, 9, 0)
    assert run_once()["digests"] == {"digests": 1}
    digest = Notification.objects.get(recipient=clerk, key__startswith="digest:")
    assert digest.key == f"digest:{clerk.pk}:2025-10-10"
    assert first.number in digest.body and second.number in digest.body
    assert urgent.number not in digest.body
    assert "2 条提醒" in digest.subject
    assert send_digests() == {"digests": 0}  # one per user per day
    assert not DigestItem.objects.filter(digest__isnull=True).exists()
    page = client.get("/notifications/").content.decode()
    assert "每日提醒汇总" in page and 'name="daily_digest" checked' in page
    client.post("/notifications/digest/", {})
    assert 'name="daily_digest" checked' not in client.get("/notifications/").content.decode()
