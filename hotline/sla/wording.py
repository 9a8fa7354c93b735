"""How a deadline is said, relative to now, in the right tense (R-DL-2).

Pure: moments in, Chinese text out; the caller passes local (Asia/Shanghai) moments.
One place for the inbox, the reminders and the notices, so that a deadline already
passed never reads "将于 … 到期" and a deadline due today never reads "已超期 0 个工作日".
"""

from __future__ import annotations

from datetime import datetime


def _span(seconds: float) -> str:
    minutes = max(1, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    return f"{minutes // 60} 小时"


def overdue_text(due: datetime, now: datetime, *, workdays_over: int | None) -> str:
    """ "已超期 3 小时" within the first working day past due, else "已超期 2 个工作日"."""
    if workdays_over:
        return f"已超期 {workdays_over} 个工作日"
    return f"已超期 {_span((now - due).total_seconds())}"


def due_today_text(due: datetime) -> str:
    return f"今日 {due:%H:%M} 到期"


def reminder_due_text(due: datetime, now: datetime) -> str:
    """The deadline clause of a reminder: future "将于 2026-11-25 17:30 到期", past
    "已于 11-25 17:30 到期（已超期 3 小时）"."""
    if due > now:
        if due.date() == now.date():
            return due_today_text(due)
        return f"将于 {due:%Y-%m-%d %H:%M} 到期"
    return f"已于 {due:%m-%d %H:%M} 到期（{overdue_text(due, now, workdays_over=None)}）"
