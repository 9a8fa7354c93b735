"""Issue 14 items 3 and 4: one masking helper everywhere, and every view of a citizen's
identity or phone in an append-only access log."""

import datetime as dt
import io

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from hotline.accounts.models import Role
from hotline.core import access_log
from hotline.core.models import AccessRecord
from hotline.notifications.models import Notification
from hotline.tickets import services as s

PHONE = "13912345678"


@pytest.fixture
def ticket(users):
    t = s.ticket_create(
        actor=users[Role.OPERATOR], phone=PHONE, name="王小明", summary="噪音扰民", kind="help"
    )
    s.ticket_dispatch(actor=users[Role.DISPATCHER], ticket=t, lead=users[Role.UNIT_CLERK].unit)
    AccessRecord.objects.all().delete()  # guards are off in the test settings
    return t


@pytest.fixture
def guards(db):
    access_log.install_guards()
    yield
    access_log.remove_guards()


def test_ticket_page_api_history_sheet_and_export_are_logged(client, users, ticket):
    client.force_login(users[Role.DISPATCHER])
    assert PHONE in client.get(f"/tickets/{ticket.number}/").content.decode()
    assert client.get(f"/api/tickets/{ticket.number}").json()["citizen"]["phone"] == PHONE
    assignment = ticket.assignments.get()
    client.get(f"/workbench/assignments/{assignment.pk}/sheet/")
    client.get("/tickets/export.xlsx", {"q": ""})
    rows = list(AccessRecord.objects.order_by("id"))
    pages = [r.page for r in rows]
    assert f"/tickets/{ticket.number}/" in pages
    assert f"/api/tickets/{ticket.number}" in pages
    assert f"/workbench/assignments/{assignment.pk}/sheet/" in pages
    assert {r.what for r in rows} == {"identity", "export"}
    assert all(r.username == "dispatcher1" and r.ip == "127.0.0.1" for r in rows)
    identity = next(r for r in rows if r.page == f"/tickets/{ticket.number}/")
    assert identity.ticket_number == ticket.number and identity.citizen_id == ticket.citizen_id
    assert access_log.access_log_verify() == []


def test_caller_history_is_logged(client, users, ticket):
    client.force_login(users[Role.OPERATOR])
    assert (
        ticket.number in client.get("/workbench/intake/history/", {"phone": PHONE}).content.decode()
    )
    row = AccessRecord.objects.get()
    assert row.what == "history" and row.detail == "139****5678"
    assert row.page == "/workbench/intake/history/"


def test_masked_views_are_not_logged_and_show_no_phone(client, users, ticket):
    client.force_login(users[Role.ANALYST])
    body = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert PHONE not in body and "139****5678" in body
    assert not AccessRecord.objects.exists()


def test_one_row_per_page_view_not_per_mention(client, users, ticket):
    client.force_login(users[Role.DISPATCHER])
    client.get(f"/tickets/{ticket.number}/")
    assert AccessRecord.objects.filter(what="identity").count() == 1


def test_supervisors_and_admins_browse_and_export_the_log(client, users, ticket):
    client.force_login(users[Role.DISPATCHER])
    client.get(f"/tickets/{ticket.number}/")
    for role in (Role.SUPERVISOR, Role.ADMIN):
        client.force_login(users[role])
        page = client.get("/access-log/", {"ticket": ticket.number})
        assert page.status_code == 200 and "dispatcher1" in page.content.decode()
        export = client.get("/access-log/export.xlsx")
        sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
        assert sheet.cell(row=2, column=2).value == "dispatcher1"
    for role in (Role.OPERATOR, Role.UNIT_CLERK, Role.ANALYST):
        client.force_login(users[role])
        assert client.get("/access-log/").status_code == 403


def test_the_database_refuses_edits_and_young_deletions(users, ticket, guards):
    assert access_log.database_guards_installed()
    row = access_log.record_access(user=users[Role.OPERATOR], what="identity", ticket_number="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRecord.objects.filter(pk=row.pk).update(username="nobody")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRecord.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_accessrecord")
    assert AccessRecord.objects.filter(pk=row.pk, username="operator1").exists()


def test_rows_older_than_the_keep_period_may_be_purged(users, ticket, guards):
    old = AccessRecord(
        at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), username="x", what="identity", digest=""
    )
    old.save()
    young = access_log.record_access(user=users[Role.OPERATOR], what="identity")
    assert access_log.access_log_purge() == 1
    assert list(AccessRecord.objects.values_list("pk", flat=True)) == [young.pk]


def test_an_edit_behind_the_triggers_is_found(users, ticket):
    row = access_log.record_access(user=users[Role.OPERATOR], what="identity", ticket_number="7")
    AccessRecord.objects.filter(pk=row.pk).update(ticket_number="8")  # no guards here
    assert access_log.access_log_verify() == [row.pk]


def test_guards_come_with_the_migrations_outside_tests(settings):
    from django.conf import settings as live

    import config.settings as production

    assert production.HOTLINE_ACCESS_LOG_DB_GUARDS is True
    assert production.HOTLINE_ACCESS_LOG_KEEP_DAYS >= 180
    assert live.HOTLINE_ACCESS_LOG_DB_GUARDS is False  # only the test settings


# --- item 3: masking everywhere -----------------------------------------------------------


def test_delivery_log_masks_citizen_phones_for_supervisors(client, users, ticket):
    Notification.objects.create(
        channel="sms",
        address=PHONE,
        subject="工单受理",
        body="已受理",
        key="sms-1",
        ticket=ticket,
        state="failed",
    )
    client.force_login(users[Role.SUPERVISOR])
    body = client.get("/notifications/log/", {"state": "failed"}).content.decode()
    assert PHONE not in body and "139****5678" in body


def test_admin_shows_citizens_masked_and_cannot_search_by_phone(client, users, ticket):
    client.force_login(users[Role.ADMIN])
    listing = client.get("/admin/tickets/citizen/").content.decode()
    assert PHONE not in listing and "王小明" not in listing and "139****5678" in listing
    detail = client.get(f"/admin/tickets/citizen/{ticket.citizen_id}/change/").content.decode()
    assert PHONE not in detail and "王小明" not in detail
    for url in (
        "/admin/tickets/ticket/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/notifications/notification/",
    ):
        assert PHONE not in client.get(url).content.decode(), url
    assert 'id="searchbar"' not in listing  # no search by name or phone


def test_one_masking_helper():
    from hotline.core.masking import mask_contact, mask_name, mask_phone

    assert mask_phone(PHONE) == "139****5678" and mask_name("王小明") == "王**"
    assert mask_contact("li@example.cn") == "l***@example.cn"
    assert mask_contact(PHONE) == "139****5678"
