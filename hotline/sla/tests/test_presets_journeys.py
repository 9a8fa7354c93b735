"""Each preset, each kind: a ticket received on the Friday before National Day 2025.

2025: 10-01..10-08 off (National Day with Mid-Autumn); Sun 09-28 and Sat 10-11 are
make-up working days. Received Fri 2025-09-26 10:00; the receipt day is not counted.
Working days after it: 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13, 10-14, ...
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.sla.calendar import WorkCalendar
from hotline.sla.compute import ticket_deadlines
from hotline.sla.policies import Kind, Mode, PolicyError, Urgency
from hotline.sla.presets import KJ, KM, LX, SR, ZS

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 9, 26, 10, 0, tzinfo=SH)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.from_chinesecalendar()


def due_day(result):
    assert result.reply.due.time().isoformat() == "17:30:00"
    return result.reply.due.date()


@pytest.mark.parametrize(
    ("kind", "due", "reminder"),
    [
        (Kind.CONSULT, date(2025, 9, 30), date(2025, 9, 28)),
        (Kind.SUGGEST, date(2025, 10, 10), date(2025, 9, 29)),
        (Kind.HELP, date(2025, 10, 16), date(2025, 10, 10)),
        (Kind.COMPLAINT, date(2025, 10, 16), date(2025, 10, 10)),
        (Kind.REPORT, date(2025, 10, 16), date(2025, 10, 10)),
    ],
)
def test_kj_journey_r_dl_2(cal, kind, due, reminder):
    result = ticket_deadlines(cal, KJ, kind=kind, mode=Mode.WRITTEN, start=START)
    assert due_day(result) == due
    assert result.reminders == (reminder,)
    assert result.sign.due == datetime(2025, 9, 28, 17, 30, tzinfo=SH)  # a Sunday, 调休
    assert result.return_until.due == result.sign.due
    assert not result.rule.extension_allowed


@pytest.mark.parametrize(
    ("mode", "urgency", "due"),
    [
        (Mode.INSTRUCTION, Urgency.NORMAL, date(2025, 10, 23)),
        (Mode.WRITTEN, Urgency.NORMAL, date(2025, 10, 16)),
        (Mode.PHONE, Urgency.NORMAL, date(2025, 10, 10)),
        (Mode.WRITTEN, Urgency.URGENT, date(2025, 10, 10)),
    ],
)
@pytest.mark.parametrize("kind", list(Kind))
def test_lx_journey_r_dl_2(cal, kind, mode, urgency, due):
    result = ticket_deadlines(cal, LX, kind=kind, mode=mode, urgency=urgency, start=START)
    assert due_day(result) == due


@pytest.mark.parametrize(
    ("mode", "due"), [(Mode.WRITTEN, date(2025, 10, 13)), (Mode.PHONE, date(2025, 9, 30))]
)
@pytest.mark.parametrize("kind", list(Kind))
def test_km_journey_r_dl_2(cal, kind, mode, due):
    assert due_day(ticket_deadlines(cal, KM, kind=kind, mode=mode, start=START)) == due


@pytest.mark.parametrize("kind", list(Kind))
def test_zs_journey_takes_the_catalog_deadline(cal, kind):
    result = ticket_deadlines(cal, ZS, kind=kind, mode=Mode.WRITTEN, start=START, catalog_days=12)
    assert due_day(result) == date(2025, 10, 20)
    with pytest.raises(PolicyError):
        ticket_deadlines(cal, ZS, kind=kind, mode=Mode.WRITTEN, start=START)


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        (Kind.CONSULT, date(2025, 9, 30)),
        (Kind.HELP, date(2025, 10, 13)),
        (Kind.COMPLAINT, date(2025, 10, 13)),
        (Kind.REPORT, date(2025, 10, 13)),
        (Kind.SUGGEST, date(2025, 10, 13)),
    ],
)
def test_sr_journey_with_the_city_numbers(cal, kind, due):
    with pytest.raises(PolicyError, match="尚未填写"):
        ticket_deadlines(cal, SR, kind=kind, mode=Mode.WRITTEN, start=START)
    filled = SR.with_parameters({"consult_days": 3, "complaint_days": 7, "complex_max_days": 30})
    assert due_day(ticket_deadlines(cal, filled, kind=kind, mode=Mode.WRITTEN, start=START)) == due
