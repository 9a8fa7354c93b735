"""Messages (issue 15 item 15): 全部标为已读 and grouping by ticket."""

from hotline.notifications.models import Notification, NotificationChannel
from hotline.notifications.services import notify


def test_mark_all_read_and_group_by_ticket(client, users, db):
    from hotline.accounts.models import Role
    from hotline.tickets import services as s

    clerk = users[Role.UNIT_CLERK]
    ticket = s.ticket_create(
        actor=users[Role.OPERATOR], phone="13900001234", summary="路灯不亮", kind="help"
    )
    for i in range(3):
        notify(
            channel=NotificationChannel.INBOX,
            recipient=clerk,
            subject=f"催办{i}",
            body="请办理",
            ticket=ticket,
        )
    notify(channel=NotificationChannel.INBOX, recipient=clerk, subject="通知", body="无工单")
    client.force_login(clerk)
    grouped = client.get("/notifications/?group=ticket")
    rows = list(grouped.context["page"])
    assert len(rows) == 1 and rows[0]["unread"] == 3 and rows[0]["total"] == 3
    one = client.get(f"/notifications/?ticket={ticket.number}")
    assert len(list(one.context["page"])) == 3
    client.post("/notifications/read-all/", {"ticket": ticket.number})
    assert Notification.objects.filter(recipient=clerk, read_at__isnull=True).count() == 1
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=clerk, read_at__isnull=True).exists()
