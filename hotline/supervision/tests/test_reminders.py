"""Time-machine tests of reminders and warnings (R-SV-1, KJ 二(一)), and the sweeper's
guarantees: nothing sent twice, nothing lost after a crash."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from hotline.core.errors import PermissionDenied
from hotline.notifications.models import Notification
from hotline.site.tick import run_once
from hotline.supervision import services as sv
from hotline.supervision import sweep as sweeper
from hotline.supervision.models import Reminder
from hotline.tickets.models import TicketEvent, WarningLevel
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures

SH = ZoneInfo("Asia/Shanghai")


def test_kj_reminders_across_national_day_r_sv_1(flow, at):
    """KJ help: 10 working days, reminder 5 working days before due (10-16 → 10-10)."""
    at(2025, 9, 26, 10, 0)
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    assert sweeper.sweep()["reminders"] == 0
    lead.refresh_from_db()
    assert lead.warning == WarningLevel.NORMAL
    assert lead.next_check_at.astimezone(SH) == dt.datetime(2025, 10, 10, 8, 30, tzinfo=SH)
    at(2025, 10, 9, 17, 0)
    assert sweeper.sweep()["checked"] == 0  # nothing due: an index scan finds no row
    at(2025, 10, 10, 8, 31)
    assert sweeper.sweep()["reminders"] == 1
    assert sweeper.sweep()["reminders"] == 0  # never twice
    lead.refresh_from_db()
    assert lead.warning == WarningLevel.YELLOW
    sms = Notification.objects.get(channel="sms", key__startswith="reminder:")
    assert "2025-10-16 17:30" in sms.body
    at(2025, 10, 16, 17, 31)
    sweeper.sweep()
    lead.refresh_from_db()
    assert lead.warning == WarningLevel.RED
    # Overdue: the sweeper looks again when the ladder's first rung falls due (R-SV-2).
    assert lead.next_check_at.astimezone(SH) == dt.datetime(2025, 10, 17, 8, 30, tzinfo=SH)
    assert ticket.events.filter(kind="reminded").count() == 1


def test_a_new_deadline_gets_new_reminders(flow, people, at):
    at(2025, 11, 3, 9, 0)
    ticket = flow.to("completed", assists=())
    at(2025, 11, 4, 9, 0)
    from hotline.tickets import services as s

    s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="不满意")
    at(2025, 11, 12, 9, 0)
    assert sweeper.sweep()["reminders"] == 1
    assert Reminder.objects.filter(kind="auto").count() == 1


@pytest.mark.parametrize(("batch", "kept"), [(500, 0), (2, 2)])
def test_crash_in_the_middle_loses_nothing_and_doubles_nothing(flow, at, batch, kept):
    """A tick killed in the middle of a batch rolls the whole batch back (its reminders,
    messages, events and next checks); the batches before it stay. The restarted tick
    sends exactly what was missing: each reminder and each message once."""
    at(2025, 11, 3, 9, 0)
    tickets = [flow.to("handling", assists=()) for _ in range(3)]
    at(2025, 11, 10, 9, 0)  # all three have a reminder due (KJ help: lead 5)
    real = sweeper.notify_many
    calls = {"n": 0}

    def crash_in_second_batch(messages):
        calls["n"] += 1
        if calls["n"] == 2 or batch > 3:
            raise RuntimeError("killed")  # after the batch's reminders were inserted
        return real(messages)

    with (
        mock.patch.object(sweeper, "notify_many", crash_in_second_batch),
        pytest.raises(RuntimeError),
    ):
        sweeper.sweep(batch=batch)
    assert Reminder.objects.count() == kept
    assert Notification.objects.filter(key__startswith="reminder:").count() == kept * 3
    assert TicketEvent.objects.filter(kind="reminded").count() == kept
    assert sweeper.sweep(batch=batch)["reminders"] == 3 - kept  # the restarted tick
    assert sorted(Reminder.objects.values_list("assignment__ticket", flat=True)) == sorted(
        t.pk for t in tickets
    )
    # Per reminder: the unit's clerk and leader in the inbox, the liaison by SMS.
    keys = list(
        Notification.objects.filter(key__startswith="reminder:").values_list("key", flat=True)
    )
    assert len(keys) == len(set(keys)) == 9
    assert TicketEvent.objects.filter(kind="reminded").count() == 3
    assert sweeper.sweep(batch=batch) == {"checked": 0, "reminders": 0, "escalations": 0}


def test_manual_reminder_only_by_supervisors(flow, people):
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    with pytest.raises(PermissionDenied):
        sv.reminder_send(actor=people["operator1"], assignment=lead)
    sv.reminder_send(actor=people["supervisor1"], assignment=lead, note="请今日答复")
    assert Reminder.objects.get().kind == "manual"
    assert Notification.objects.filter(channel="inbox", key__startswith="reminder:").count() == 2


def test_tick_runs_reminders_then_deliveries(flow, at, settings):
    settings.HOTLINE_SMS_URL = ""  # SMS undeliverable, given up at once; tickets unaffected
    at(2025, 11, 3, 9, 0)
    flow.to("handling", assists=())
    at(2025, 11, 10, 9, 0)
    result = run_once()
    assert result["reminders"]["reminders"] == 1
    assert result["notifications"]["failed"] >= 1


def test_supervisor_board_shows_warnings_and_reminds(client, flow, people, at):
    at(2025, 11, 3, 9, 0)
    ticket = flow.to("handling", assists=())
    at(2025, 11, 18, 9, 0)  # overdue (due 11-17 17:30)
    sweeper.sweep()
    client.force_login(people["supervisor1"])
    body = client.get("/supervision/", {"level": "red"}).content.decode()
    assert ticket.number in body and "市住房和城乡建设局" in body
    lead = flow.lead(ticket)
    response = client.post(f"/supervision/remind/{lead.pk}/", {"note": "今日答复"}, follow=True)
    assert "已向市住房和城乡建设局发出催办" in response.content.decode()
    assert Reminder.objects.filter(kind="manual").count() == 1
    client.force_login(people["operator1"])
    assert client.post(f"/supervision/remind/{lead.pk}/").status_code == 403
