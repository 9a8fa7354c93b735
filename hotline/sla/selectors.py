"""Reads for deadline computation: the calendar from chinesecalendar plus the database."""

from __future__ import annotations

import threading
from collections import defaultdict

from django.db.models import Count, Max

from hotline.sla.calendar import DayMark, WorkCalendar
from hotline.sla.models import CalendarDay, CalendarSource, OfficialYear, Policy, PolicyVersion

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _fingerprint() -> tuple:
    """Changes whenever an administrator edits the calendar, so every worker rebuilds."""
    days = CalendarDay.objects.aggregate(n=Count("id"), last=Max("created_at"), top=Max("id"))
    years = OfficialYear.objects.aggregate(n=Count("id"), last=Max("entered_at"), top=Max("id"))
    return (*days.values(), *years.values())


def work_calendar() -> WorkCalendar:
    """The calendar in force now; built once per change (two small queries per call)."""
    key = _fingerprint()
    with _lock:
        if _cache.get("key") == key:
            return _cache["calendar"]  # type: ignore[return-value]
    rows = list(CalendarDay.objects.all())
    entered_years = set(OfficialYear.objects.values_list("year", flat=True))
    official: dict[int, list[DayMark]] = defaultdict(list)
    overrides: list[DayMark] = []
    for row in rows:
        mark = DayMark(day=row.day, workday=row.workday, reason=row.reason, source=row.source)
        if row.source == CalendarSource.OFFICIAL:
            official[row.day.year].append(mark)
        else:
            overrides.append(mark)
    calendar = WorkCalendar.from_chinesecalendar(
        extra_official={year: official.get(year, []) for year in entered_years},
        overrides=overrides,
    )
    with _lock:
        _cache.update(key=key, calendar=calendar)
    return calendar


def overrides() -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(source=CalendarSource.OVERRIDE).order_by("-day"))


def entered_years() -> list[OfficialYear]:
    return list(OfficialYear.objects.all())


def policy_list() -> list[Policy]:
    return list(Policy.objects.prefetch_related("versions"))


def policy_get(*, code: str) -> Policy | None:
    return Policy.objects.filter(code=code).first()


def policy_latest_version(policy: Policy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()


def default_policy_version() -> PolicyVersion | None:
    policy = Policy.objects.filter(is_default=True).first()
    return policy_latest_version(policy) if policy else None
