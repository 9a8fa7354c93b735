"""The working-day calendar (R-DL-1): weekends, State Council holidays, 调休 and local days off.

Pure code: no Django, no database, no clock. A `WorkCalendar` is built once from the official
schedules (chinesecalendar, plus any year an administrator entered) and local overrides, and
answers every question about working days from a precomputed index:

* `_rank`: for each day in range, how many working days lie on or before it (``array('i')``,
  4 bytes a day). It plays the role of a binary search over the working days in O(1): counting
  working days between two dates is a subtraction;
* `_dates`: the working days in order (a tuple of dates), so "the nth working day after d" is
  ``_dates[_rank[d] + n - 1]``, one lookup that returns a shared object without allocating;
* `_is_work`: one byte per day.

Deadlines are computed in bulk for lists and statistics, hence the O(1) day-level core (about
0.2 µs a call, see bench/sla.py). For 2004–2035 the index takes about 0.4 MB.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import chinese_calendar
from chinese_calendar.constants import Holiday

OFFICIAL = "official"
OVERRIDE = "override"

#: Chinese names for chinesecalendar's English holiday names (shown to users).
HOLIDAY_NAMES_ZH: dict[str, str] = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.national_day.value: "国庆节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.anti_fascist_70th_day.value: "抗战胜利纪念日",
}


@dataclass(frozen=True)
class DayMark:
    """A date that differs from the plain weekend rule, and why (R-DL-1)."""

    day: date
    workday: bool  # True: a working day (e.g. 调休上班 on a Saturday); False: a day off
    reason: str  # Chinese, shown to users: "国庆节放假", "调休上班", "台风停工", "本地放假"
    source: str  # "official" (State Council schedule) or "override" (local, by an administrator)


def holiday_mark(day: date, english_name: str) -> DayMark:
    """An official day off, e.g. "国庆节放假"."""
    return DayMark(day, False, f"{HOLIDAY_NAMES_ZH.get(english_name, english_name)}放假", OFFICIAL)


def makeup_mark(day: date, english_name: str) -> DayMark:
    """An official make-up working day (调休上班), naming the holiday it pays for."""
    name = HOLIDAY_NAMES_ZH.get(english_name, english_name)
    return DayMark(day, True, f"调休上班（{name}）", OFFICIAL)


def chinesecalendar_marks() -> dict[int, list[DayMark]]:
    """The official schedules chinesecalendar knows, keyed by year.

    The covered years are read from the data (first to last year with a holiday), so a newer
    chinesecalendar release extends the calendar without a code change.
    """
    holidays = chinese_calendar.constants.holidays
    workdays = chinese_calendar.constants.workdays
    first, last = min(holidays).year, max(holidays).year
    marks: dict[int, list[DayMark]] = {year: [] for year in range(first, last + 1)}
    for day, name in holidays.items():
        marks.setdefault(day.year, []).append(holiday_mark(day, name))
    for day, name in workdays.items():
        marks.setdefault(day.year, []).append(makeup_mark(day, name))
    for year_marks in marks.values():
        year_marks.sort(key=lambda mark: mark.day)
    return marks


class WorkCalendar:
    """Which days are working days, from first_year-01-01 to last_year-12-31 (R-DL-1).

    Precedence for a date: a local override, else the official mark of its year, else the
    weekend rule (Monday–Friday work). A year without an entry in `official` has no published
    schedule yet; it counts weekends only (plus overrides) and callers warn about it through
    `unofficial_years`. Marks are keyed by the year of their schedule; a mark may lie in a
    neighbouring year (a New Year notice can move 12-31) and still applies to its date; when two
    years' schedules mark the same date, the later year's mark wins.
    """

    def __init__(
        self,
        *,
        official: Mapping[int, Iterable[DayMark]],
        overrides: Iterable[DayMark] = (),
        first_year: int = 2004,
        last_year: int = 2035,
    ) -> None:
        if not 1 <= first_year <= last_year <= 9998:
            raise ValueError(f"invalid calendar range {first_year}..{last_year}")
        self.first_year = first_year
        self.last_year = last_year
        self._first = date(first_year, 1, 1)
        self._last = date(last_year, 12, 31)
        self._base = self._first.toordinal()
        self._official_years = frozenset(y for y in official if first_year <= y <= last_year)
        self._marks = self._collect_marks(official, overrides)
        self._mark_days = sorted(self._marks)
        self._build_index()

    @classmethod
    def from_chinesecalendar(
        cls,
        *,
        extra_official: Mapping[int, Iterable[DayMark]] | None = None,
        overrides: Iterable[DayMark] = (),
        first_year: int = 2004,
        last_year: int = 2035,
    ) -> WorkCalendar:
        """The calendar of the State Council schedules chinesecalendar covers.

        `extra_official` adds or replaces whole years: an administrator enters a new year's
        notice before chinesecalendar ships it, or corrects one.
        """
        official: dict[int, Iterable[DayMark]] = dict(chinesecalendar_marks())
        official.update(extra_official or {})
        return cls(
            official=official, overrides=overrides, first_year=first_year, last_year=last_year
        )

    # -- construction -------------------------------------------------------------------------

    def _collect_marks(
        self, official: Mapping[int, Iterable[DayMark]], overrides: Iterable[DayMark]
    ) -> dict[date, DayMark]:
        """Effective marks by date; overrides are applied last so they win.

        Marks outside the range are dropped: no query can reach them.
        """
        marks: dict[date, DayMark] = {}
        for year in sorted(self._official_years):
            for mark in official[year]:
                marks[mark.day] = mark
        for mark in overrides:
            marks[mark.day] = mark
        return {day: mark for day, mark in marks.items() if self._first <= day <= self._last}

    def _build_index(self) -> None:
        """One pass over the range fills the index described in the module docstring."""
        self._span = self._last.toordinal() - self._base + 1
        self._is_work = bytearray(self._span)
        self._rank = array("i", bytes(4 * self._span))
        workdays: list[date] = []
        for offset in range(self._span):
            day = date.fromordinal(self._base + offset)
            if self._plain_is_workday(day):
                self._is_work[offset] = 1
                workdays.append(day)
            self._rank[offset] = len(workdays)
        self._dates = tuple(workdays)
        self._count = len(workdays)

    def _plain_is_workday(self, day: date) -> bool:
        mark = self._marks.get(day)
        if mark is not None:
            return mark.workday
        return day.weekday() < 5

    # -- checks ---------------------------------------------------------------------------------

    def _offset(self, day: date) -> int:
        """Index of `day` in the per-day arrays; ValueError outside the calendar's years."""
        offset = day.toordinal() - self._base
        if not 0 <= offset < self._span:
            raise ValueError(self._range_message(day))
        return offset

    def _range_message(self, what: object) -> str:
        return (
            f"{what} is outside the working calendar "
            f"({self._first.isoformat()} .. {self._last.isoformat()})"
        )

    def _workday_at(self, index: int) -> date:
        """The working day at `index` in `_dates`; ValueError past the calendar's last year."""
        if index >= self._count:
            raise ValueError(
                f"the working day sought falls beyond the working calendar's last year "
                f"{self.last_year}"
            )
        return self._dates[index]

    # -- public API -----------------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return self._first

    @property
    def last_day(self) -> date:
        return self._last

    def is_workday(self, day: date) -> bool:
        return bool(self._is_work[self._offset(day)])

    def mark(self, day: date) -> DayMark | None:
        """Why this date is special, or None for an ordinary weekday or weekend day."""
        self._offset(day)
        return self._marks.get(day)

    def has_official_schedule(self, year: int) -> bool:
        if not self.first_year <= year <= self.last_year:
            raise ValueError(self._range_message(f"year {year}"))
        return year in self._official_years

    def unofficial_years(self, start: date, end: date) -> list[int]:
        """Years in [start.year, end.year] without an official schedule (the UI warns)."""
        self._offset(start)
        self._offset(end)
        years = range(start.year, end.year + 1)
        return [year for year in years if year not in self._official_years]

    def next_workday(self, day: date, *, include: bool = False) -> date:
        """The first working day after `day`, or `day` itself if `include` and it is one."""
        offset = self._offset(day)
        index = self._rank[offset]
        if include and self._is_work[offset]:
            index -= 1
        return self._workday_at(index)

    def nth_workday_after(self, day: date, n: int) -> date:
        """The nth working day strictly after `day` (n >= 1), in O(1).

        This is the day-level core of every deadline, so it avoids the generic helpers.
        """
        offset = day.toordinal() - self._base
        if n < 1 or not 0 <= offset < self._span:
            raise ValueError(f"n must be >= 1, got {n}" if n < 1 else self._range_message(day))
        index = self._rank[offset] + n - 1
        if index < self._count:
            return self._dates[index]
        return self._workday_at(index)

    def workdays_between(self, start: date, end: date) -> int:
        """The number of working days d with start < d <= end (0 if end <= start)."""
        first, last = self._offset(start), self._offset(end)
        if last <= first:
            return 0
        return self._rank[last] - self._rank[first]

    def workdays_before(self, day: date) -> int:
        """The number of working days from first_day up to, not including, `day`.

        With `workday_by_rank` this maps dates to a continuous "working-day axis", which is how
        `deadlines` turns working time into clock time without walking days.
        """
        offset = self._offset(day)
        return self._rank[offset] - self._is_work[offset]

    def workday_by_rank(self, rank: int) -> date:
        """The working day with `rank` working days before it (the inverse of workdays_before)."""
        if rank < 0:
            raise ValueError(f"rank must be >= 0, got {rank}")
        return self._workday_at(rank)

    def marks_between(self, start: date, end: date) -> list[DayMark]:
        """The marks with start < day <= end, sorted by date."""
        self._offset(start)
        self._offset(end)
        lo = bisect_right(self._mark_days, start)
        hi = bisect_right(self._mark_days, end)
        return [self._marks[day] for day in self._mark_days[lo:hi]]

    def index_size(self) -> int:
        """Bytes held by the index (for the benchmark's report; tracemalloc measures it too)."""
        dates = sys.getsizeof(self._dates) + sum(map(sys.getsizeof, self._dates))
        return sys.getsizeof(self._is_work) + sys.getsizeof(self._rank) + dates
