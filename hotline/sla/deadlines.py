"""Deadline math on working time (R-DL-1 calendar, R-DL-3 clock rules and pauses).

Pure code: takes aware datetimes, a `WorkCalendar` and rules, returns aware datetimes in
Asia/Shanghai with a Chinese explanation. Never reads the clock or a database.

Model: working time flows only between `day_start` and `day_end` of working days. Every moment
maps to a position on a "working axis" (a timedelta: working days before its date times the day
length, plus the working time already elapsed that day). The axis is monotonic, so adding
working time is: position of the clock start + amount, then map back. Pauses are intervals on
the same axis; each one that begins before the (moving) due pushes it later by exactly the
working time it covers. Nothing walks day by day; every step is an O(1) calendar lookup.

Where the axis has several moments for one position (17:30 on Friday and 08:30 on Monday), a due
resolves to the earliest: a deadline of N working days ends at the close of the Nth working day,
not at the opening of the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hotline.sla.axis import (
    DEFAULT_RULES,
    SHANGHAI,
    ZERO,
    ClockRules,
    ClockRun,
    Pause,
    Stop,
    WorkAxis,
    localize,
    merge_pauses,
    moment_on,
    run_clock,
)
from hotline.sla.calendar import WorkCalendar

__all__ = [
    "DEFAULT_RULES",
    "SHANGHAI",
    "ClockRules",
    "Deadline",
    "Pause",
    "add_natural_hours",
    "add_working_days",
    "add_working_hours",
    "count_working_days",
    "working_time_between",
]


@dataclass(frozen=True)
class Deadline:
    due: datetime | None  # None only when an open pause stops the clock
    explanation: tuple[str, ...]  # Chinese, one line each
    unofficial_years: tuple[int, ...]  # years reached that have no official schedule


def _day_text(day: date, ref_year: int) -> str:
    """ "MM-DD", or "YYYY-MM-DD" when the day is in another year than the receipt."""
    return day.strftime("%m-%d" if day.year == ref_year else "%Y-%m-%d")


def _moment_text(moment: datetime, ref_year: int) -> str:
    return f"{_day_text(moment.date(), ref_year)} {moment:%H:%M}"


def _duration_text(amount: timedelta) -> str:
    minutes = int(amount.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} 小时"] if hours else []
    if minutes:
        parts.append(f"{minutes} 分钟")
    return " ".join(parts) or "不足 1 分钟"


# -- explanation -----------------------------------------------------------------------------------


def _mark_lines(calendar: WorkCalendar, after: date, until: date, ref_year: int) -> list[str]:
    """One line per run of consecutive marked days with the same reason, in (after, until]."""
    lines: list[str] = []
    run: list[date] = []
    reason = ""
    for mark in calendar.marks_between(after, until):
        if run and (mark.reason != reason or mark.day != run[-1] + timedelta(days=1)):
            lines.append(_run_line(run, reason, ref_year))
            run = []
        run.append(mark.day)
        reason = mark.reason
    if run:
        lines.append(_run_line(run, reason, ref_year))
    return lines


def _run_line(days: list[date], reason: str, ref_year: int) -> str:
    first = _day_text(days[0], ref_year)
    if len(days) == 1:
        return f"{first} {reason}"
    return f"{first} 至 {_day_text(days[-1], ref_year)} {reason}"


def _weekends_through(ordinal: int) -> int:
    """Saturdays and Sundays among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 2 * weeks + max(0, rest - 5)


def _weekend_line(calendar: WorkCalendar, after: date, until: date) -> list[str]:
    """ "跳过周末 N 天": weekend days in (after, until] that no mark explains already."""
    if until <= after:
        return []
    total = _weekends_through(until.toordinal()) - _weekends_through(after.toordinal())
    marked = sum(1 for m in calendar.marks_between(after, until) if m.day.weekday() >= 5)
    plain = total - marked
    return [f"跳过周末 {plain} 天"] if plain else []


def _stop_line(stop: Stop, ref_year: int) -> str:
    why = f"（{stop.reason}）" if stop.reason else ""
    begin = _moment_text(stop.start, ref_year)
    if stop.end is None:
        return f"暂停 {begin} 起{why}，尚未恢复，计时停止"
    return f"暂停 {begin} 至 {_moment_text(stop.end, ref_year)}{why}，不计时"


def _unofficial_lines(years: Sequence[int]) -> list[str]:
    return [f"{year} 年尚无国务院公布的节假日安排，仅按周末和本地调整计算" for year in years]


def _stopped_line(run: ClockRun, ref_year: int) -> str:
    stop = run.stops[-1]
    why = f"（{stop.reason}）" if stop.reason else ""
    return f"计时自 {_moment_text(stop.start, ref_year)} 起暂停{why}，截止时间待恢复计时后确定"


def _final_line(run: ClockRun, amount: str) -> str:
    assert run.due is not None
    shift = f"，暂停顺延 {_duration_text(run.shift)}" if run.shift else ""
    return f"截止 {run.due:%Y-%m-%d %H:%M}（{amount}{shift}）"


def _explain(
    calendar: WorkCalendar, received: datetime, start_line: str, run: ClockRun, amount: str
) -> Deadline:
    """Assemble the Deadline: start, marked runs, weekends, pauses, unofficial years, end."""
    ref_year = received.year
    until = run.due if run.due is not None else run.stops[-1].start
    first, last = received.date(), max(until.date(), received.date())
    years = tuple(calendar.unofficial_years(first, last))
    lines = [start_line]
    lines += _mark_lines(calendar, first, last, ref_year)
    lines += _weekend_line(calendar, first, last)
    lines += [_stop_line(stop, ref_year) for stop in run.stops]
    lines += _unofficial_lines(years)
    lines.append(_final_line(run, amount) if run.due is not None else _stopped_line(run, ref_year))
    return Deadline(run.due, tuple(lines), years)


# -- working days ----------------------------------------------------------------------------------


def _receipt_day_counts(calendar: WorkCalendar, received: datetime, rules: ClockRules) -> bool:
    """Whether the receipt day is day 1 (only with count_receipt_day, before the cut-off)."""
    if not rules.count_receipt_day or not calendar.is_workday(received.date()):
        return False
    return rules.cutoff is None or received.time() < rules.cutoff


def _receipt_text(calendar: WorkCalendar, received: datetime) -> str:
    mark = calendar.mark(received.date())
    return f"{received:%Y-%m-%d %H:%M} 受理" + (f"（{mark.reason}）" if mark else "")


def _days_start_line(
    calendar: WorkCalendar, received: datetime, rules: ClockRules, first_day: date
) -> str:
    head = _receipt_text(calendar, received)
    begin = f"从 {_day_text(first_day, received.year)} 起算"
    if not rules.count_receipt_day:
        return f"{head}，受理当日不计入，{begin}"
    if first_day == received.date():
        return f"{head}，受理当日计入，{begin}"
    if not calendar.is_workday(received.date()):
        return f"{head}，受理当日非工作日，不计入，{begin}"
    return f"{head}，晚于 {rules.cutoff:%H:%M} 截止时间，受理当日不计入，{begin}"


def add_working_days(
    calendar: WorkCalendar,
    start: datetime,
    days: int,
    rules: ClockRules = DEFAULT_RULES,
    pauses: Sequence[Pause] = (),
    *,
    explain: bool = True,
) -> Deadline:
    """The due of a period of `days` working days received at `start` (R-DL-1, R-DL-3).

    By default the receipt day does not count: the clock starts at day_start of the first working
    day after the receipt date and the due is day_end of the Nth working day after it. With
    `rules.count_receipt_day` a working receipt day before the cut-off is day 1. Pauses push the
    due by the working time they cover. `days == 0` returns the clock start itself (the moment the
    period would begin), ignoring pauses: no working time has to elapse.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    received = localize(start)
    if _receipt_day_counts(calendar, received, rules):
        first_day = received.date()
    else:
        first_day = calendar.next_workday(received.date())
    axis = WorkAxis(calendar, rules)
    stops = merge_pauses(pauses, received)
    clock = moment_on(first_day, rules.day_start)
    run = run_clock(clock, days * rules.day_length, stops, axis.position, axis.moment_at)
    if not explain:  # the sweeper's hot path needs the due only
        return Deadline(run.due, (), ())
    start_line = _days_start_line(calendar, received, rules, first_day)
    amount = f"第 {days} 个工作日" if days else "0 个工作日，即起算时刻"
    return _explain(calendar, received, start_line, run, amount)


# -- working and natural hours ---------------------------------------------------------------------


def _hours(hours: float) -> timedelta:
    if not hours >= 0:
        raise ValueError(f"hours must be >= 0, got {hours}")
    return timedelta(hours=hours)


def add_working_hours(
    calendar: WorkCalendar,
    start: datetime,
    hours: float,
    rules: ClockRules = DEFAULT_RULES,
    pauses: Sequence[Pause] = (),
    *,
    explain: bool = True,
) -> Deadline:
    """The due of `hours` of working time from `start` (R-DL-1, R-DL-3).

    The clock starts at the receipt moment clamped into working time (before day_start: that
    day's day_start; after day_end or on a day off: day_start of the next working day);
    count_receipt_day and cutoff do not apply to hours. `hours == 0` returns the clock start.
    """
    work = _hours(hours)
    received = localize(start)
    axis = WorkAxis(calendar, rules)
    clock = axis.clamp(received)
    run = run_clock(clock, work, merge_pauses(pauses, received), axis.position, axis.moment_at)
    if not explain:
        return Deadline(run.due, (), ())
    window = f"{rules.day_start:%H:%M}–{rules.day_end:%H:%M}"
    start_line = (
        f"{_receipt_text(calendar, received)}，按工作时间 {window} 计时，"
        f"从 {_moment_text(clock, received.year)} 起算"
    )
    return _explain(calendar, received, start_line, run, f"工作时间 {hours:g} 小时")


def add_natural_hours(
    start: datetime, hours: float, pauses: Sequence[Pause] = (), *, explain: bool = True
) -> Deadline:
    """The due of `hours` of wall-clock time from `start`; paused time does not count (R-DL-3).

    Used for the urgent periods counted in natural hours (e.g. 2 小时内联系诉求人), which run
    through nights, weekends and holidays. `hours == 0` returns `start`.
    """
    work = _hours(hours)
    received = localize(start)
    stops = merge_pauses(pauses, received)
    run = run_clock(
        received,
        work,
        stops,
        lambda moment: localize(moment) - received,
        lambda pos: received + pos,
    )
    if not explain:
        return Deadline(run.due, (), ())
    year = received.year
    lines = [f"{received:%Y-%m-%d %H:%M} 受理，按自然时间计 {hours:g} 小时"]
    lines += [_stop_line(stop, year) for stop in run.stops]
    lines.append(
        _final_line(run, f"自然时间 {hours:g} 小时")
        if run.due is not None
        else _stopped_line(run, year)
    )
    return Deadline(run.due, tuple(lines), ())


# -- measuring -------------------------------------------------------------------------------------


def count_working_days(calendar: WorkCalendar, start: datetime, end: datetime) -> int:
    """Working days d with start.date() < d <= end.date(), dates taken in Asia/Shanghai."""
    return calendar.workdays_between(localize(start).date(), localize(end).date())


def working_time_between(
    calendar: WorkCalendar,
    start: datetime,
    end: datetime,
    rules: ClockRules = DEFAULT_RULES,
) -> timedelta:
    """Working time elapsed from `start` to `end` (zero if end <= start); pauses not considered."""
    axis = WorkAxis(calendar, rules)
    return max(axis.position(end) - axis.position(start), ZERO)
