"""Reads for deadline computation: the calendar from chinesecalendar plus the database."""

from __future__ import annotations

import threading
from collections import defaultdict

from django.db import connection

from hotline.core.fixed_reads import FixedRead
from hotline.sla.calendar import DayMark, WorkCalendar
from hotline.sla.models import (
    CalendarDay,
    CalendarSource,
    DeadlinePolicy,
    OfficialYear,
    PolicyVersion,
)

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _fingerprint() -> tuple:
    """Changes whenever an administrator edits the calendar, so every worker rebuilds.
    One statement (a dispatch asks for it every time) that reads each table once: one
    aggregate row per table. Six scalar subqueries said the same at twice PostgreSQL's
    planning and execution (bench/README.md, "Where a create and a dispatch go")."""
    days = connection.ops.quote_name(CalendarDay._meta.db_table)
    years = connection.ops.quote_name(OfficialYear._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(created_at), MAX(id) FROM {days} "
            f"UNION ALL SELECT COUNT(*), MAX(entered_at), MAX(id) FROM {years}"
        )
        return tuple(tuple(row) for row in cursor.fetchall())


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


def policy_list() -> list[DeadlinePolicy]:
    return list(DeadlinePolicy.objects.prefetch_related("versions"))


def policy_get(*, code: str) -> DeadlinePolicy | None:
    return DeadlinePolicy.objects.filter(code=code).first()


def policy_latest_version(policy: DeadlinePolicy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()


_DEFAULT_VERSION = FixedRead(
    PolicyVersion,
    lambda: (
        PolicyVersion.objects.filter(policy__is_default=True)
        .select_related("policy")
        .order_by("-number", "-pk")[:1]
    ),
)


def default_policy_version() -> PolicyVersion | None:
    """The latest version of the default policy (at most one is the default): one query,
    its SQL compiled once (every create asks; hotline.core.fixed_reads)."""
    return _DEFAULT_VERSION.first()
