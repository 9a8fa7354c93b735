"""The one way a document writes a date (issue 15 item 14): 2026年12月3日, in the
hotline's time zone, without leading zeros, as Chinese official documents write it; and
the one way a page, a message or an export writes a moment: 2026-12-03 17:30."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def document_date(value: date | datetime | None) -> str:
    """2026-12-03 (or an aware moment on that day in Asia/Shanghai) → "2026年12月3日";
    None → ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def document_moment(value: datetime | None) -> str:
    """An aware moment → "2026年12月3日 17:30" in Asia/Shanghai; None → "—"."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{document_date(local)} {local:%H:%M}"


def local_moment(value: datetime | str | None, *, empty: str = "—") -> str:
    """An aware moment as staff and citizens read it on a page, in a message or an export:
    "2026-12-03 17:30" in the hotline's time zone (Asia/Shanghai); None → `empty`. Text
    (a moment an event's data already keeps written out) is returned as it is."""
    if isinstance(value, str):
        return value
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else empty


def document_month(value: date | datetime) -> str:
    """2026-12-01 → "2026年12月"."""
    return f"{value.year}年{value.month}月"
