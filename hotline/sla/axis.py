"""The working axis: moments mapped to elapsed working time, and the clock run on it (R-DL-3).

Pure code, like `hotline.sla.deadlines` which explains its results: takes aware datetimes, a
`WorkCalendar` and rules; never reads the clock or a database. See that module for the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.sla.calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = timedelta(0)


@dataclass(frozen=True)
class ClockRules:
    """How a hotline period counts (R-DL-3).

    Chinese administrative law does not count the day of receipt: N working days end at the close
    of the Nth working day after it. Some regulations count the receipt day when the request
    arrives early enough; `count_receipt_day` with `cutoff` models that.
    """

    count_receipt_day: bool = False
    cutoff: time | None = None
    day_start: time = time(8, 30)
    day_end: time = time(17, 30)

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be later than day_start")

    @property
    def day_length(self) -> timedelta:
        """The working time in one working day (9 hours by default)."""
        start = datetime.combine(date.min, self.day_start)
        return datetime.combine(date.min, self.day_end) - start


#: The default rules as a module constant, for callers' signatures (ruff B008 flags calls there).
DEFAULT_RULES = ClockRules()


@dataclass(frozen=True)
class Pause:
    """A stretch in which the clock does not run (R-DL-3): 退回审核中, 热线审核, 等待诉求人."""

    start: datetime
    end: datetime | None  # None: still paused (the deadline is then unknown)
    reason: str = ""


# -- time helpers ----------------------------------------------------------------------------------


def localize(moment: datetime) -> datetime:
    """The moment in Asia/Shanghai; naive datetimes are refused (their zone is a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timezone-aware datetime required, got naive {moment!r}")
    return moment.astimezone(SHANGHAI)


def moment_on(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class WorkAxis:
    """Maps moments to elapsed working time since the calendar's first day, and back."""

    calendar: WorkCalendar
    rules: ClockRules

    def position(self, moment: datetime) -> timedelta:
        local = localize(moment)
        day = local.date()
        length = self.rules.day_length
        before = self.calendar.workdays_before(day) * length
        if not self.calendar.is_workday(day):
            return before
        into_day = local - moment_on(day, self.rules.day_start)
        return before + min(max(into_day, ZERO), length)

    def moment_at(self, position: timedelta) -> datetime:
        """The earliest moment at `position`: a whole number of days ends at day_end."""
        rank, rest = divmod(position, self.rules.day_length)
        if not rest and rank > 0:
            return moment_on(self.calendar.workday_by_rank(rank - 1), self.rules.day_end)
        return moment_on(self.calendar.workday_by_rank(rank), self.rules.day_start) + rest

    def clamp(self, moment: datetime) -> datetime:
        """The first moment of working time at or after `moment`."""
        local = localize(moment)
        day = local.date()
        if self.calendar.is_workday(day) and local < moment_on(day, self.rules.day_end):
            return max(local, moment_on(day, self.rules.day_start))
        return moment_on(self.calendar.next_workday(day), self.rules.day_start)


# -- pauses ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """A merged pause, with the working time it cost (filled in when the clock runs)."""

    start: datetime
    end: datetime | None
    reason: str
    cost: timedelta = ZERO


def merge_pauses(pauses: Sequence[Pause], received: datetime) -> list[Stop]:
    """Pauses in Shanghai time, clipped to the receipt, overlapping ones merged (R-DL-3).

    Merged pauses keep every distinct reason ("退回审核中、等待诉求人").
    """
    stops: list[Stop] = []
    for pause in sorted(pauses, key=lambda p: localize(p.start)):
        start = max(localize(pause.start), received)
        end = None if pause.end is None else localize(pause.end)
        if end is not None and end < localize(pause.start):
            raise ValueError(f"pause ends before it starts: {pause!r}")
        if end is not None and end <= received:
            continue
        if stops and (stops[-1].end is None or start <= stops[-1].end):
            stops[-1] = join_stops(stops[-1], end, pause.reason)
        else:
            stops.append(Stop(start, end, pause.reason))
    return stops


def join_stops(stop: Stop, end: datetime | None, reason: str) -> Stop:
    joined_end = None if stop.end is None or end is None else max(stop.end, end)
    reasons = [r for r in stop.reason.split("、") if r]
    if reason and reason not in reasons:
        reasons.append(reason)
    return Stop(stop.start, joined_end, "、".join(reasons))


@dataclass(frozen=True)
class ClockRun:
    """The outcome of running the clock: the due (None if stopped) and the pauses it met."""

    due: datetime | None
    stops: tuple[Stop, ...]

    @property
    def shift(self) -> timedelta:
        return sum((stop.cost for stop in self.stops), ZERO)


def run_clock(
    clock: datetime,
    work: timedelta,
    stops: list[Stop],
    position: Callable[[datetime], timedelta],
    moment_at: Callable[[timedelta], datetime],
) -> ClockRun:
    """Add `work` to `clock` on an axis; each pause met before the due pushes it later.

    Stops are merged and sorted, so one pass suffices: a pause starting at or after the current
    due never matters, and every earlier one adds the axis time it covers after the clock start.
    """
    if work <= ZERO:
        return ClockRun(clock, ())
    origin = position(clock)
    target = origin + work
    met: list[Stop] = []
    for stop in stops:
        begin = max(position(stop.start), origin)
        if begin >= target:
            break
        if stop.end is None:
            return ClockRun(None, (*met, stop))
        cost = max(position(stop.end), origin) - begin
        target += cost
        met.append(Stop(stop.start, stop.end, stop.reason, cost))
    return ClockRun(moment_at(target), tuple(met))
