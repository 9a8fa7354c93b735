"""Honest deadline wording (R-DL-2): the sign deadline on 待签收, "今日 17:30 到期" and
"已超期 3 小时" instead of "已超期 0 个工作日", reminders in the tense of the deadline."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from hotline.sla import wording
from hotline.supervision.reminding import reminder_body

SH = ZoneInfo("Asia/Shanghai")


def test_r_dl_2_wording_is_pure_and_tensed():
    due = dt.datetime(2026, 11, 25, 17, 30, tzinfo=SH)
    assert wording.reminder_due_text(due, due - dt.timedelta(days=2)) == (
        "将于 2026-11-25 17:30 到期"
    )
    assert wording.reminder_due_text(due, due - dt.timedelta(hours=3)) == "今日 17:30 到期"
    assert wording.reminder_due_text(due, due + dt.timedelta(hours=3)) == (
        "已于 11-25 17:30 到期（已超期 3 小时）"
    )
    assert wording.overdue_text(due, due + dt.timedelta(minutes=20), workdays_over=0) == (
        "已超期 20 分钟"
    )
    assert wording.overdue_text(due, due + dt.timedelta(days=3), workdays_over=2) == (
        "已超期 2 个工作日"
    )


def test_r_dl_2_reminder_after_the_deadline_is_in_the_past_tense(at):
    at(2026, 11, 26, 9, 0)
    text = reminder_body("2026112500001", "电梯停运", dt.datetime(2026, 11, 25, 17, 30, tzinfo=SH))
    assert "已于 11-25 17:30 到期" in text and "将于" not in text


def _row(client, user, tab):
    client.force_login(user)
    return client.get(f"/inbox/?tab={tab}")


def test_r_un_1_sign_tab_shows_the_sign_deadline(client, people, flow, at):
    at(2026, 12, 1, 9, 0)
    ticket = flow.to("dispatched")
    lead = flow.lead(ticket)
    assert lead.sign_due != lead.reply_due
    response = _row(client, people["zjj_clerk"], "sign")
    row = response.context["rows"][0]
    assert row["due"] == lead.sign_due
    body = response.content.decode()
    assert timezone.localtime(lead.sign_due).strftime("%m-%d %H:%M") in body
    assert "<th>签收截止</th>" in body


def test_r_dl_2_due_today_and_hours_overdue_in_the_inbox(client, people, flow, at):
    at(2026, 12, 1, 9, 0)
    ticket = flow.to("handling")
    due = timezone.localtime(flow.lead(ticket).reply_due)
    at(due.year, due.month, due.day, due.hour - 2, due.minute)
    body = _row(client, people["zjj_clerk"], "handling").content.decode()
    assert f"今日 {due:%H:%M} 到期" in body
    at(due.year, due.month, due.day, due.hour + 3, due.minute)
    body = _row(client, people["zjj_clerk"], "overdue").content.decode()
    assert "已超期 3 小时" in body and "已超期 0" not in body
