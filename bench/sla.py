"""Benchmark of the working-day core (R-DL-1): indexed calendar against a day-by-day walk.

Run from the repository root::

    .venv/bin/python bench/sla.py [--n 1000000] [--sample 100000] [--seed 12345]

It computes `n` deadlines (random receipt dates 2005–2025, 1..20 working days, fixed seed) with
`WorkCalendar.nth_workday_after` and with a naive loop over `chinese_calendar.is_workday`, checks
that both agree, does the same for the full `add_working_days` path on a smaller sample, and
reports times, the speed ratio (goal >= 50x) and the calendar's memory (goal < 5 MB), measured
with tracemalloc. Importable: `run()` returns the numbers without printing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chinese_calendar

from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import SHANGHAI, add_working_days

FIRST, LAST = date(2005, 1, 1), date(2025, 12, 31)
MAX_DAYS = 20
ONE_DAY = timedelta(days=1)
Job = tuple[date, int]


@dataclass(frozen=True)
class BenchResult:
    n: int
    sample: int
    fast_seconds: float
    naive_seconds: float
    dict_walk_seconds: float
    full_seconds: float
    naive_sample_seconds: float
    index_bytes: int
    calendar_bytes: int
    build_peak_bytes: int

    @property
    def ratio(self) -> float:
        return self.naive_seconds / self.fast_seconds

    @property
    def dict_walk_ratio(self) -> float:
        return self.dict_walk_seconds / self.fast_seconds

    @property
    def full_ratio(self) -> float:
        return self.naive_sample_seconds / self.full_seconds


def make_jobs(n: int, seed: int) -> list[Job]:
    """`n` (receipt date, working days) pairs, reproducible from `seed`."""
    rng = random.Random(seed)
    first, last = FIRST.toordinal(), LAST.toordinal()
    return [
        (date.fromordinal(rng.randint(first, last)), rng.randint(1, MAX_DAYS)) for _ in range(n)
    ]


def naive_nth_workday_after(day: date, n: int) -> date:
    """The reference: walk day by day, asking chinesecalendar about each date."""
    is_workday = chinese_calendar.is_workday
    while n:
        day += ONE_DAY
        if is_workday(day):
            n -= 1
    return day


def dict_walk_nth_workday_after(day: date, n: int) -> date:
    """A fairer reference: the same walk on chinesecalendar's dicts, without its per-call checks.

    `chinese_calendar.is_workday` validates the year with min()/max() over all holidays on every
    call, which dominates the naive time; this shows what the index gains over a tuned walk.
    """
    holidays = chinese_calendar.constants.holidays
    workdays = chinese_calendar.constants.workdays
    while n:
        day += ONE_DAY
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            n -= 1
    return day


def fast_all(calendar: WorkCalendar, jobs: Sequence[Job]) -> list[date]:
    nth = calendar.nth_workday_after
    return [nth(day, n) for day, n in jobs]


def naive_all(jobs: Sequence[Job]) -> list[date]:
    return [naive_nth_workday_after(day, n) for day, n in jobs]


def dict_walk_all(jobs: Sequence[Job]) -> list[date]:
    return [dict_walk_nth_workday_after(day, n) for day, n in jobs]


def full_all(calendar: WorkCalendar, jobs: Sequence[Job]) -> list[date]:
    """Through the public deadline API, receipts at 10:00 (explanations included)."""
    dues: list[date] = []
    for day, n in jobs:
        due = add_working_days(
            calendar, datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), n
        )
        assert due.due is not None
        dues.append(due.due.date())
    return dues


def timed(func: Callable[[], list[date]]) -> tuple[float, list[date]]:
    began = time.perf_counter()
    result = func()
    return time.perf_counter() - began, result


def measure_memory() -> tuple[int, int, int]:
    """(index bytes, bytes the calendar keeps, peak while building), via tracemalloc."""
    chinese_calendar.constants.holidays  # noqa: B018 - data loaded before measuring
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    calendar = WorkCalendar.from_chinesecalendar()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return calendar.index_size(), current - before, peak - before


def run(n: int = 1_000_000, sample: int = 100_000, seed: int = 12345) -> BenchResult:
    """Time both paths on the same jobs; AssertionError if any result differs."""
    calendar = WorkCalendar.from_chinesecalendar()
    jobs = make_jobs(n, seed)
    fast_seconds, fast = timed(lambda: fast_all(calendar, jobs))
    naive_seconds, naive = timed(lambda: naive_all(jobs))
    assert fast == naive, "indexed and naive results differ"
    dict_walk_seconds, walked = timed(lambda: dict_walk_all(jobs))
    assert walked == naive, "dict walk and naive results differ"
    some = jobs[: min(sample, n)]
    full_seconds, full = timed(lambda: full_all(calendar, some))
    naive_sample_seconds, _ = timed(lambda: naive_all(some))
    assert full == naive[: len(some)], "add_working_days and naive results differ"
    index_bytes, calendar_bytes, build_peak = measure_memory()
    return BenchResult(
        n=n,
        sample=len(some),
        fast_seconds=fast_seconds,
        naive_seconds=naive_seconds,
        dict_walk_seconds=dict_walk_seconds,
        full_seconds=full_seconds,
        naive_sample_seconds=naive_sample_seconds,
        index_bytes=index_bytes,
        calendar_bytes=calendar_bytes,
        build_peak_bytes=build_peak,
    )


def report(result: BenchResult) -> str:
    mb = 1024 * 1024
    per = 1e9 / result.n
    return "\n".join(
        [
            f"deadlines: {result.n:,} (receipt dates {FIRST}..{LAST}, 1..{MAX_DAYS} working days)",
            f"  indexed nth_workday_after : {result.fast_seconds:8.3f} s"
            f"  ({result.fast_seconds * per:,.0f} ns each)",
            f"  naive chinese_calendar    : {result.naive_seconds:8.3f} s"
            f"  ({result.naive_seconds * per:,.0f} ns each)",
            f"  speed ratio               : {result.ratio:8.1f}x  (goal >= 50x)",
            f"  tuned walk on the dicts   : {result.dict_walk_seconds:8.3f} s"
            f"  ({result.dict_walk_seconds * per:,.0f} ns each)",
            f"  speed ratio vs tuned walk : {result.dict_walk_ratio:8.1f}x",
            f"full add_working_days on {result.sample:,} of them (with explanations):",
            f"  add_working_days          : {result.full_seconds:8.3f} s",
            f"  naive on the same sample  : {result.naive_sample_seconds:8.3f} s",
            f"  speed ratio               : {result.full_ratio:8.1f}x",
            "memory (tracemalloc), calendar 2004–2035:",
            f"  index (rank, dates, flags): {result.index_bytes / mb:8.3f} MB",
            f"  whole calendar retained   : {result.calendar_bytes / mb:8.3f} MB  (goal < 5 MB)",
            f"  peak while building       : {result.build_peak_bytes / mb:8.3f} MB",
            "results identical: yes",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1_000_000, help="deadlines to compute")
    parser.add_argument("--sample", type=int, default=100_000, help="deadlines via full API")
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args(argv)
    print(report(run(args.n, args.sample, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
