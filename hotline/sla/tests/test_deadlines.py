"""Deadline math (R-DL-1 calendar, R-DL-3 clock rules and pauses). Pure, no database."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.sla.calendar import DayMark, WorkCalendar
from hotline.sla.deadlines import (
    SHANGHAI,
    ClockRules,
    Pause,
    add_natural_hours,
    add_working_days,
    add_working_hours,
    count_working_days,
    working_time_between,
)

CAL = WorkCalendar.from_chinesecalendar()
DAY = timedelta(hours=9)
COUNTING = ClockRules(count_receipt_day=True, cutoff=time(15, 0))


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


moments = st.builds(
    lambda day, minute: datetime.combine(day, time(), tzinfo=SHANGHAI) + timedelta(minutes=minute),
    st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 8, 31)),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
day_counts = st.integers(min_value=0, max_value=60)
rules_st = st.sampled_from([ClockRules(), ClockRules(count_receipt_day=True), COUNTING])


# -- property tests -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(start=moments, n=st.integers(min_value=1, max_value=60))
def test_r_dl_1_adding_then_counting_gives_n_back(start: datetime, n: int) -> None:
    due = add_working_days(CAL, start, n).due
    assert due is not None and due.timetz() == time(17, 30, tzinfo=SHANGHAI)
    assert count_working_days(CAL, start, due) == n
    clock = datetime.combine(CAL.next_workday(start.date()), time(8, 30), tzinfo=SHANGHAI)
    assert working_time_between(CAL, clock, due) == n * DAY
    assert due.date() == CAL.nth_workday_after(start.date(), n)


@settings(max_examples=300, deadline=None)
@given(start=moments, n=day_counts, more=st.integers(0, 5), rules=rules_st)
def test_r_dl_1_monotonic_in_n(start: datetime, n: int, more: int, rules: ClockRules) -> None:
    first = add_working_days(CAL, start, n, rules).due
    later = add_working_days(CAL, start, n + more, rules).due
    assert first is not None and later is not None and first <= later


@settings(max_examples=300, deadline=None)
@given(start=moments, n=day_counts, minutes=st.integers(0, 20_000), rules=rules_st)
def test_r_dl_1_monotonic_in_start(
    start: datetime, n: int, minutes: int, rules: ClockRules
) -> None:
    first = add_working_days(CAL, start, n, rules).due
    later = add_working_days(CAL, start + timedelta(minutes=minutes), n, rules).due
    assert first is not None and later is not None and first <= later


@settings(max_examples=300, deadline=None)
@given(start=moments, hours=st.integers(1, 200), minutes=st.integers(0, 59))
def test_r_dl_1_working_hours_round_trip(start: datetime, hours: int, minutes: int) -> None:
    amount = timedelta(hours=hours, minutes=minutes)
    due = add_working_hours(CAL, start, amount / timedelta(hours=1)).due
    assert due is not None and due > start
    assert working_time_between(CAL, start, due) == amount


@settings(max_examples=300, deadline=None)
@given(
    start=moments,
    n=st.integers(1, 30),
    offset=st.integers(0, 60 * 24 * 40),
    length=st.integers(0, 60 * 24 * 10),
)
def test_r_dl_3_a_pause_costs_exactly_the_working_time_it_covers(
    start: datetime, n: int, offset: int, length: int
) -> None:
    plain = add_working_days(CAL, start, n).due
    assert plain is not None
    pause = Pause(start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
    due = add_working_days(CAL, start, n, pauses=[pause]).due
    assert due is not None and due >= plain
    clock = datetime.combine(CAL.next_workday(start.date()), time(8, 30), tzinfo=SHANGHAI)
    paused = working_time_between(CAL, max(pause.start, clock), min(pause.end or due, due))
    assert working_time_between(CAL, clock, due) - paused == n * DAY


# -- table tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "rules", "due"),
    [
        # 2024 Spring Festival: 02-09 = 1, Sun 02-18 (调休) = 2, 02-19..02-21 = 3..5.
        (at(2024, 2, 8, 16), 5, ClockRules(), at(2024, 2, 21, 17, 30)),
        (at(2024, 2, 8, 16), 1, ClockRules(), at(2024, 2, 9, 17, 30)),
        (at(2024, 2, 8, 16), 2, ClockRules(), at(2024, 2, 18, 17, 30)),
        (at(2024, 2, 3, 10), 1, ClockRules(), at(2024, 2, 4, 17, 30)),  # Sat -> Sun 调休
        (at(2024, 2, 12, 10), 1, ClockRules(), at(2024, 2, 18, 17, 30)),  # received on holiday
        # 2025 National Day + Mid-Autumn: 09-28 (Sun) works, 10-01..10-08 off, 10-11 (Sat) works.
        (at(2025, 9, 26, 16), 1, ClockRules(), at(2025, 9, 28, 17, 30)),
        (at(2025, 9, 26, 16), 3, ClockRules(), at(2025, 9, 30, 17, 30)),
        (at(2025, 9, 26, 16), 4, ClockRules(), at(2025, 10, 9, 17, 30)),
        (at(2025, 9, 26, 16), 6, ClockRules(), at(2025, 10, 11, 17, 30)),
        (at(2025, 9, 26, 16), 7, ClockRules(), at(2025, 10, 13, 17, 30)),
        # 2026 Spring Festival: 02-14 (Sat) works, 02-15..02-23 off, 02-28 (Sat) works.
        (at(2026, 2, 12, 9), 2, ClockRules(), at(2026, 2, 14, 17, 30)),
        (at(2026, 2, 12, 9), 3, ClockRules(), at(2026, 2, 24, 17, 30)),
        (at(2026, 2, 24, 9), 4, ClockRules(), at(2026, 2, 28, 17, 30)),
        # count_receipt_day: the receipt day is day 1 before the cut-off, not after it.
        (at(2024, 2, 8, 10), 5, COUNTING, at(2024, 2, 20, 17, 30)),
        (at(2024, 2, 8, 16), 5, COUNTING, at(2024, 2, 21, 17, 30)),
        (at(2024, 2, 8, 15), 5, COUNTING, at(2024, 2, 21, 17, 30)),  # at the cut-off
        (at(2024, 2, 8, 16), 5, ClockRules(count_receipt_day=True), at(2024, 2, 20, 17, 30)),
        (at(2024, 2, 8, 7), 1, COUNTING, at(2024, 2, 8, 17, 30)),  # before opening
        (at(2024, 2, 10, 10), 1, COUNTING, at(2024, 2, 18, 17, 30)),  # holiday receipt
        # days == 0: the clock start itself.
        (at(2024, 2, 8, 16), 0, ClockRules(), at(2024, 2, 9, 8, 30)),
        (at(2024, 2, 8, 10), 0, COUNTING, at(2024, 2, 8, 8, 30)),
    ],
)
def test_r_dl_1_working_days_table(
    start: datetime, days: int, rules: ClockRules, due: datetime
) -> None:
    assert add_working_days(CAL, start, days, rules).due == due


def test_r_dl_1_spring_festival_2024_explanation() -> None:
    deadline = add_working_days(CAL, at(2024, 2, 8, 16), 5)
    assert deadline.due == at(2024, 2, 21, 17, 30)
    assert deadline.explanation == (
        "2024-02-08 16:00 受理，受理当日不计入，从 02-09 起算",
        "02-10 至 02-17 春节放假",
        "02-18 调休上班（春节）",
        "截止 2024-02-21 17:30（第 5 个工作日）",
    )
    assert deadline.unofficial_years == ()


def test_r_dl_1_national_day_2025_explanation() -> None:
    deadline = add_working_days(CAL, at(2025, 9, 26, 16), 7)
    assert deadline.explanation == (
        "2025-09-26 16:00 受理，受理当日不计入，从 09-28 起算",
        "09-28 调休上班（国庆节）",
        "10-01 至 10-05 国庆节放假",
        "10-06 中秋节放假",
        "10-07 至 10-08 国庆节放假",
        "10-11 调休上班（国庆节）",
        "跳过周末 2 天",
        "截止 2025-10-13 17:30（第 7 个工作日）",
    )


def test_r_dl_1_start_lines_for_count_receipt_day() -> None:
    early = add_working_days(CAL, at(2024, 2, 8, 10), 5, COUNTING)
    late = add_working_days(CAL, at(2024, 2, 8, 16), 5, COUNTING)
    holiday = add_working_days(CAL, at(2024, 2, 12, 10), 1, COUNTING)
    assert early.explanation[0] == "2024-02-08 10:00 受理，受理当日计入，从 02-08 起算"
    assert late.explanation[0] == (
        "2024-02-08 16:00 受理，晚于 15:00 截止时间，受理当日不计入，从 02-09 起算"
    )
    assert holiday.explanation[0] == (
        "2024-02-12 10:00 受理（春节放假），受理当日非工作日，不计入，从 02-18 起算"
    )


def test_zero_days_is_the_clock_start() -> None:
    deadline = add_working_days(CAL, at(2024, 2, 8, 16), 0)
    assert deadline.explanation == (
        "2024-02-08 16:00 受理，受理当日不计入，从 02-09 起算",
        "截止 2024-02-09 08:30（0 个工作日，即起算时刻）",
    )


def test_inputs_in_other_time_zones_are_converted_to_shanghai() -> None:
    # 2024-02-08 20:00 UTC is 02-09 04:00 in Shanghai: the receipt date is Friday 02-09.
    deadline = add_working_days(CAL, datetime(2024, 2, 8, 20, tzinfo=UTC), 1)
    assert deadline.due == at(2024, 2, 18, 17, 30)
    assert deadline.due is not None and deadline.due.tzinfo == SHANGHAI
    assert count_working_days(CAL, datetime(2024, 2, 8, 20, tzinfo=UTC), at(2024, 2, 9, 12)) == 0


# -- pauses (R-DL-3) ----------------------------------------------------------------------------


def test_r_dl_3_pause_over_a_weekend_costs_no_working_time() -> None:
    weekend = Pause(at(2024, 3, 8, 17, 30), at(2024, 3, 11, 8, 30), "等待诉求人")
    deadline = add_working_days(CAL, at(2024, 3, 6, 10), 3, pauses=[weekend])
    assert deadline.due == at(2024, 3, 11, 17, 30)
    assert "暂停 03-08 17:30 至 03-11 08:30（等待诉求人），不计时" in deadline.explanation
    assert deadline.explanation[-1] == "截止 2024-03-11 17:30（第 3 个工作日）"


def test_r_dl_3_pause_inside_working_hours_shifts_by_its_length() -> None:
    review = Pause(at(2024, 3, 7, 10), at(2024, 3, 7, 13, 15), "热线审核")
    deadline = add_working_days(CAL, at(2024, 3, 6, 10), 3, pauses=[review])
    assert deadline.due == at(2024, 3, 12, 11, 45)
    assert deadline.explanation[-2:] == (
        "暂停 03-07 10:00 至 03-07 13:15（热线审核），不计时",
        "截止 2024-03-12 11:45（第 3 个工作日，暂停顺延 3 小时 15 分钟）",
    )


def test_r_dl_3_pause_across_nights_counts_only_working_hours() -> None:
    returned = Pause(at(2024, 3, 1, 10), at(2024, 3, 4, 9), "退回审核中")  # Fri 10:00 -> Mon 09:00
    deadline = add_working_days(CAL, at(2024, 2, 28, 10), 5, pauses=[returned])
    # 7.5 h on Friday + 0.5 h on Monday = 8 h after the due of Wed 03-06 17:30.
    assert deadline.due == at(2024, 3, 7, 16, 30)
    assert "暂停 03-01 10:00 至 03-04 09:00（退回审核中），不计时" in deadline.explanation


def test_r_dl_3_overlapping_pauses_are_merged() -> None:
    pauses = [
        Pause(at(2024, 3, 7, 10), at(2024, 3, 7, 12), "热线审核"),
        Pause(at(2024, 3, 7, 11), at(2024, 3, 7, 14), "等待诉求人"),
    ]
    deadline = add_working_days(CAL, at(2024, 3, 6, 10), 3, pauses=pauses)
    assert deadline.due == at(2024, 3, 12, 12, 30)
    assert "暂停 03-07 10:00 至 03-07 14:00（热线审核、等待诉求人），不计时" in deadline.explanation


def test_r_dl_3_pauses_after_the_due_or_before_receipt_do_not_count() -> None:
    pauses = [
        Pause(at(2024, 3, 1, 10), at(2024, 3, 5, 10)),
        Pause(at(2024, 3, 11, 17, 30), None),
    ]
    deadline = add_working_days(CAL, at(2024, 3, 6, 10), 3, pauses=pauses)
    assert deadline.due == at(2024, 3, 11, 17, 30)
    assert not any(line.startswith("暂停") for line in deadline.explanation)


def test_r_dl_3_open_pause_stops_the_clock() -> None:
    open_pause = Pause(at(2024, 3, 7, 10), None, "退回审核中")
    deadline = add_working_days(CAL, at(2024, 3, 6, 10), 3, pauses=[open_pause])
    assert deadline.due is None
    assert deadline.explanation[-2:] == (
        "暂停 03-07 10:00 起（退回审核中），尚未恢复，计时停止",
        "计时自 03-07 10:00 起暂停（退回审核中），截止时间待恢复计时后确定",
    )


def test_r_dl_3_pause_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        add_working_days(CAL, at(2024, 3, 6, 10), 3, pauses=[Pause(at(2024, 3, 7), at(2024, 3, 6))])


# -- working and natural hours --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2024, 2, 8, 16), 12, at(2024, 2, 18, 10)),  # 1.5 h Thu, 9 h Fri, 1.5 h Sun 调休
        (at(2024, 2, 8, 16), 1.5, at(2024, 2, 8, 17, 30)),  # ends at the close, not next morning
        (at(2024, 2, 8, 18), 2, at(2024, 2, 9, 10, 30)),  # after hours -> next morning
        (at(2024, 2, 8, 7), 2, at(2024, 2, 8, 10, 30)),  # before hours -> 08:30
        (at(2024, 2, 12, 11), 24, at(2024, 2, 20, 14, 30)),  # received during the holiday
        (at(2024, 2, 12, 11), 0, at(2024, 2, 18, 8, 30)),  # zero: the clock start
    ],
)
def test_r_dl_1_working_hours_across_a_holiday(
    start: datetime, hours: float, due: datetime
) -> None:
    assert add_working_hours(CAL, start, hours).due == due


def test_r_dl_1_working_hours_explanation() -> None:
    deadline = add_working_hours(CAL, at(2024, 2, 8, 16), 12)
    assert deadline.explanation == (
        "2024-02-08 16:00 受理，按工作时间 08:30–17:30 计时，从 02-08 16:00 起算",
        "02-10 至 02-17 春节放假",
        "02-18 调休上班（春节）",
        "截止 2024-02-18 10:00（工作时间 12 小时）",
    )


def test_r_dl_3_working_hours_with_custom_day_and_pause() -> None:
    rules = ClockRules(day_start=time(9), day_end=time(17))
    pause = Pause(at(2024, 3, 6, 12), at(2024, 3, 6, 13), "等待诉求人")
    deadline = add_working_hours(CAL, at(2024, 3, 6, 10), 8, rules, [pause])
    assert deadline.due == at(2024, 3, 7, 11)


def test_r_dl_3_natural_hours_with_a_pause() -> None:
    pause = Pause(at(2024, 2, 10, 1), at(2024, 2, 10, 4), "等待诉求人")
    deadline = add_natural_hours(at(2024, 2, 9, 23), 4, [pause])
    assert deadline.due == at(2024, 2, 10, 6)
    assert deadline.explanation == (
        "2024-02-09 23:00 受理，按自然时间计 4 小时",
        "暂停 02-10 01:00 至 02-10 04:00（等待诉求人），不计时",
        "截止 2024-02-10 06:00（自然时间 4 小时，暂停顺延 3 小时）",
    )
    assert add_natural_hours(at(2024, 2, 9, 23), 4, [Pause(at(2024, 2, 10, 1), None)]).due is None
    assert add_natural_hours(at(2024, 2, 9, 23), 0).due == at(2024, 2, 9, 23)


# -- overrides and years without a schedule (R-DL-1) ---------------------------------------------


def test_r_dl_1_typhoon_closure_and_extra_working_saturday() -> None:
    cal = WorkCalendar.from_chinesecalendar(
        overrides=[
            DayMark(date(2024, 7, 25), False, "台风停工", "override"),
            DayMark(date(2024, 7, 27), True, "本地加班", "override"),
        ]
    )
    deadline = add_working_days(cal, at(2024, 7, 24, 10), 3)
    # Thu 07-25 closed: Fri 07-26 = 1, Sat 07-27 = 2, Mon 07-29 = 3.
    assert deadline.due == at(2024, 7, 29, 17, 30)
    assert deadline.explanation[1:4] == ("07-25 台风停工", "07-27 本地加班", "跳过周末 1 天")
    assert add_working_days(CAL, at(2024, 7, 24, 10), 3).due == at(2024, 7, 29, 17, 30)
    assert add_working_days(cal, at(2024, 7, 24, 10), 2).due == at(2024, 7, 27, 17, 30)


def test_r_dl_1_period_reaching_a_year_without_schedule() -> None:
    cal = WorkCalendar.from_chinesecalendar(last_year=2030)
    deadline = add_working_days(cal, at(2026, 12, 28, 10), 10)
    # Weekends only in 2027: Fri 01-01 is a working day (no New Year notice yet).
    assert deadline.due == at(2027, 1, 11, 17, 30)
    assert deadline.unofficial_years == (2027,)
    assert "2027 年尚无国务院公布的节假日安排，仅按周末和本地调整计算" in deadline.explanation
    assert "跳过周末 4 天" in deadline.explanation


def test_r_dl_1_extra_official_year_counts_its_holidays() -> None:
    notice = {2027: [DayMark(date(2027, 1, 1), False, "元旦放假", "official")]}
    cal = WorkCalendar.from_chinesecalendar(extra_official=notice, last_year=2030)
    deadline = add_working_days(cal, at(2026, 12, 28, 10), 10)
    assert deadline.due == at(2027, 1, 12, 17, 30)
    assert deadline.unofficial_years == ()
    assert "2027-01-01 元旦放假" in deadline.explanation


# -- errors and measuring -------------------------------------------------------------------------


def test_out_of_range_and_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="outside the working calendar"):
        add_working_days(CAL, at(2036, 1, 2, 10), 1)
    with pytest.raises(ValueError, match="beyond the working calendar"):
        add_working_days(CAL, at(2035, 12, 20, 10), 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(CAL, datetime(2024, 2, 8, 16), 1)
    with pytest.raises(ValueError, match="days must be"):
        add_working_days(CAL, at(2024, 2, 8, 16), -1)
    with pytest.raises(ValueError, match="hours must be"):
        add_working_hours(CAL, at(2024, 2, 8, 16), -1)
    with pytest.raises(ValueError, match="day_end"):
        ClockRules(day_start=time(18), day_end=time(9))


def test_working_time_between_and_count_working_days() -> None:
    start, end = at(2024, 2, 8, 16), at(2024, 2, 19, 10)
    assert working_time_between(CAL, start, end) == timedelta(hours=1.5 + 9 + 9 + 1.5)
    assert working_time_between(CAL, end, start) == timedelta(0)
    assert count_working_days(CAL, start, end) == 3
    assert count_working_days(CAL, end, start) == 0
