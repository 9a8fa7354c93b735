"""The header's unread badge is counted for pages that show it, not for htmx fragments
(decision 0032)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify


def _counted(queries) -> bool:
    return any("notifications_notification" in q["sql"] for q in queries)


def test_a_page_shows_the_unread_count(client, users, db):
    from hotline.accounts.models import Role

    operator = users[Role.OPERATOR]
    for i in range(3):
        notify(channel=NotificationChannel.INBOX, recipient=operator, subject=f"通知{i}", body="")
    client.force_login(operator)
    page = client.get("/intake/")
    assert page.status_code == 200
    assert '<span class="badge">3</span>' in page.content.decode()


def test_a_fragment_does_not_count_unread_messages(client, users, db):
    from hotline.accounts.models import Role

    operator = users[Role.OPERATOR]
    notify(channel=NotificationChannel.INBOX, recipient=operator, subject="通知", body="")
    client.force_login(operator)
    with CaptureQueriesContext(connection) as queries:
        fragment = client.get("/workbench/intake/duplicates/?summary=路灯不亮&detail=青溪路路灯")
    assert fragment.status_code == 200
    assert not _counted(queries.captured_queries)
