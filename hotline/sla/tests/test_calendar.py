"""The working-day calendar (R-DL-1): holidays, 调休 and local days off. Pure, no database."""

import tracemalloc
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.sla.calendar import DayMark, WorkCalendar, chinesecalendar_marks

CAL = WorkCalendar.from_chinesecalendar()
ONE_DAY = timedelta(days=1)

# Random dates whose brute-force walk of up to 60 working days stays inside chinesecalendar's data.
dates = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 8, 31))
counts = st.integers(min_value=1, max_value=60)


def brute_nth_after(day: date, n: int) -> date:
    """The nth working day after `day`, walking day by day with chinesecalendar."""
    while n:
        day += ONE_DAY
        n -= chinese_calendar.is_workday(day)
    return day


def brute_between(start: date, end: date) -> int:
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(1 for d in days if chinese_calendar.is_workday(d))


# -- property tests: the fast index equals a day-by-day walk ----------------------------------


@settings(max_examples=300, deadline=None)
@given(day=dates, n=counts)
def test_r_dl_1_nth_workday_after_matches_brute_force(day: date, n: int) -> None:
    assert CAL.nth_workday_after(day, n) == brute_nth_after(day, n)


@settings(max_examples=300, deadline=None)
@given(start=dates, span=st.integers(min_value=-10, max_value=120))
def test_r_dl_1_workdays_between_matches_brute_force(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert CAL.workdays_between(start, end) == (brute_between(start, end) if span > 0 else 0)


@settings(max_examples=300, deadline=None)
@given(day=dates)
def test_r_dl_1_is_workday_and_next_workday_match_chinesecalendar(day: date) -> None:
    assert CAL.is_workday(day) == chinese_calendar.is_workday(day)
    assert CAL.next_workday(day) == brute_nth_after(day, 1)
    expected = day if chinese_calendar.is_workday(day) else brute_nth_after(day, 1)
    assert CAL.next_workday(day, include=True) == expected


@settings(max_examples=300, deadline=None)
@given(day=dates, n=counts)
def test_r_dl_1_counting_inverts_adding(day: date, n: int) -> None:
    due = CAL.nth_workday_after(day, n)
    assert CAL.workdays_between(day, due) == n
    assert CAL.is_workday(due)
    assert CAL.nth_workday_after(day, n + 1) > due
    assert CAL.workday_by_rank(CAL.workdays_before(due)) == due


def test_r_dl_1_every_covered_day_matches_chinesecalendar() -> None:
    day, last = date(2004, 1, 1), max(chinese_calendar.constants.holidays)
    while day.year <= last.year:
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        day += ONE_DAY


# -- table tests: the hard periods -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "workday", "reason"),
    [
        # 2024 Spring Festival: 02-10..02-17 off, Sundays 02-04 and 02-18 are make-up days.
        (date(2024, 2, 4), True, "调休上班（春节）"),
        (date(2024, 2, 10), False, "春节放假"),
        (date(2024, 2, 17), False, "春节放假"),
        (date(2024, 2, 18), True, "调休上班（春节）"),
        # 2025 National Day with Mid-Autumn: 10-01..10-08 off, 09-28 (Sun), 10-11 (Sat) work.
        (date(2025, 9, 28), True, "调休上班（国庆节）"),
        (date(2025, 10, 1), False, "国庆节放假"),
        (date(2025, 10, 6), False, "中秋节放假"),
        (date(2025, 10, 8), False, "国庆节放假"),
        (date(2025, 10, 11), True, "调休上班（国庆节）"),
        # 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 work.
        (date(2026, 2, 14), True, "调休上班（春节）"),
        (date(2026, 2, 15), False, "春节放假"),
        (date(2026, 2, 23), False, "春节放假"),
        (date(2026, 2, 28), True, "调休上班（春节）"),
        # 2015: the one-off 抗战胜利纪念日 (09-03..09-05 off, Sunday 09-06 works).
        (date(2015, 9, 3), False, "抗战胜利纪念日放假"),
        (date(2015, 9, 6), True, "调休上班（抗战胜利纪念日）"),
    ],
)
def test_r_dl_1_official_marks(day: date, workday: bool, reason: str) -> None:
    assert CAL.is_workday(day) is workday
    assert CAL.mark(day) == DayMark(day, workday, reason, "official")


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2024, 2, 8), 1, date(2024, 2, 9)),
        (date(2024, 2, 8), 2, date(2024, 2, 18)),  # Sunday make-up day
        (date(2024, 2, 8), 5, date(2024, 2, 21)),
        (date(2024, 2, 3), 1, date(2024, 2, 4)),  # Saturday -> Sunday make-up day
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),  # Saturday make-up day
        (date(2025, 9, 30), 4, date(2025, 10, 13)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 24), 4, date(2026, 2, 28)),
    ],
)
def test_r_dl_1_nth_workday_after_over_holidays(day: date, n: int, expected: date) -> None:
    assert CAL.nth_workday_after(day, n) == expected


def test_ordinary_days_have_no_mark() -> None:
    assert CAL.mark(date(2024, 3, 6)) is None  # Wednesday
    assert CAL.mark(date(2024, 3, 9)) is None  # Saturday
    assert not CAL.is_workday(date(2024, 3, 9))


def test_workdays_between_excludes_start_includes_end() -> None:
    assert CAL.workdays_between(date(2024, 2, 8), date(2024, 2, 21)) == 5
    assert CAL.workdays_between(date(2024, 2, 9), date(2024, 2, 9)) == 0
    assert CAL.workdays_between(date(2024, 2, 21), date(2024, 2, 8)) == 0


def test_marks_between_is_half_open_and_sorted() -> None:
    marks = CAL.marks_between(date(2024, 2, 4), date(2024, 2, 18))
    assert [m.day for m in marks] == [date(2024, 2, d) for d in range(10, 19)]
    assert marks[-1].workday and not marks[0].workday


def test_r_dl_1_last_covered_year_read_from_the_data() -> None:
    last = max(chinese_calendar.constants.holidays).year
    assert max(chinesecalendar_marks()) == last
    assert CAL.has_official_schedule(2004) and CAL.has_official_schedule(last)
    assert not CAL.has_official_schedule(last + 1)


# -- overrides, unofficial years, extra official years -----------------------------------------


def test_r_dl_1_override_typhoon_closes_a_weekday_and_a_saturday_works() -> None:
    typhoon = DayMark(date(2024, 7, 25), False, "台风停工", "override")
    saturday = DayMark(date(2024, 7, 27), True, "本地加班", "override")
    cal = WorkCalendar.from_chinesecalendar(overrides=[typhoon, saturday])
    assert not cal.is_workday(date(2024, 7, 25)) and cal.mark(date(2024, 7, 25)) == typhoon
    assert cal.is_workday(date(2024, 7, 27)) and cal.mark(date(2024, 7, 27)) == saturday
    # Thu 07-25 closed, Fri 07-26 = 1, Sat 07-27 = 2, Mon 07-29 = 3.
    assert cal.nth_workday_after(date(2024, 7, 24), 2) == date(2024, 7, 27)
    assert cal.nth_workday_after(date(2024, 7, 24), 3) == date(2024, 7, 29)
    assert CAL.nth_workday_after(date(2024, 7, 24), 2) == date(2024, 7, 26)


def test_r_dl_1_override_wins_over_official_mark() -> None:
    local = DayMark(date(2024, 2, 18), False, "本地放假", "override")
    cal = WorkCalendar.from_chinesecalendar(overrides=[local])
    assert not cal.is_workday(date(2024, 2, 18))
    assert cal.mark(date(2024, 2, 18)) == local
    assert cal.has_official_schedule(2024)


def test_r_dl_1_year_without_official_schedule_counts_weekends_only() -> None:
    cal = WorkCalendar.from_chinesecalendar(last_year=2030)
    assert not cal.has_official_schedule(2027)
    assert cal.unofficial_years(date(2026, 12, 1), date(2028, 1, 5)) == [2027, 2028]
    assert cal.unofficial_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert cal.is_workday(date(2027, 1, 1))  # a Friday; no New Year holiday without a notice
    assert cal.is_workday(date(2027, 10, 1))  # a Friday
    assert not cal.is_workday(date(2027, 10, 2))  # a Saturday
    assert cal.mark(date(2027, 10, 1)) is None


def test_r_dl_1_extra_official_year_becomes_official() -> None:
    notice = [
        DayMark(date(2027, 1, 1), False, "元旦放假", "official"),
        DayMark(date(2027, 2, 6), True, "调休上班（春节）", "official"),  # a Saturday
    ]
    cal = WorkCalendar.from_chinesecalendar(extra_official={2027: notice}, last_year=2030)
    assert cal.has_official_schedule(2027)
    assert cal.unofficial_years(date(2027, 1, 1), date(2027, 12, 31)) == []
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 6))
    assert cal.nth_workday_after(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_r_dl_1_extra_official_replaces_a_whole_year() -> None:
    cal = WorkCalendar.from_chinesecalendar(extra_official={2024: []})
    assert cal.has_official_schedule(2024)
    assert not cal.is_workday(date(2024, 2, 18))  # the make-up Sunday is gone
    assert cal.is_workday(date(2024, 2, 12))  # a Monday, no longer a holiday


def test_plain_constructor_without_chinesecalendar() -> None:
    cal = WorkCalendar(official={}, first_year=2030, last_year=2031)
    assert cal.unofficial_years(date(2030, 1, 1), date(2031, 1, 1)) == [2030, 2031]
    assert cal.nth_workday_after(date(2030, 1, 4), 1) == date(2030, 1, 7)  # Fri -> Mon


# -- range ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2003, 12, 31), date(2036, 1, 1)])
def test_dates_outside_the_range_raise(day: date) -> None:
    with pytest.raises(ValueError, match="outside the working calendar"):
        CAL.is_workday(day)
    with pytest.raises(ValueError, match="outside the working calendar"):
        CAL.nth_workday_after(day, 1)
    with pytest.raises(ValueError, match="outside the working calendar"):
        CAL.workdays_between(date(2024, 1, 1), day)


def test_a_result_past_the_last_year_raises() -> None:
    with pytest.raises(ValueError, match="beyond the working calendar's last year 2035"):
        CAL.nth_workday_after(date(2035, 12, 28), 10)
    with pytest.raises(ValueError, match="outside"):
        CAL.has_official_schedule(2036)
    with pytest.raises(ValueError, match="n must be"):
        CAL.nth_workday_after(date(2024, 1, 1), 0)


def test_index_is_small() -> None:
    """2004–2035 in well under 5 MB, measured as the benchmark does."""
    tracemalloc.start()
    calendar = WorkCalendar.from_chinesecalendar()
    retained, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert calendar.index_size() < 1_000_000
    assert retained < 2_000_000
