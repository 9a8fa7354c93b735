"""Time-machine walk of a KJ ticket up every rung of the escalation ladder (R-SV-2,
R-SV-3, KJ 二(三)) across the 2026 National Day holiday and its 调休 Saturday: who was
told what, and when, in working days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.notifications.models import Notification
from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import ClockRules
from hotline.sla.policies import Period, PeriodUnit, working_days
from hotline.supervision import ladder
from hotline.supervision import selectors as sel
from hotline.supervision import services as sv
from hotline.supervision import sweep as sweeper
from hotline.supervision.escalation import MEASURE_EVENTS
from hotline.supervision.models import Document, Escalation
from hotline.tickets.models import TicketEvent, UnitRequest, WarningLevel
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures

SH = ZoneInfo("Asia/Shanghai")


def sh(*args):
    return dt.datetime(*args, tzinfo=SH)


def told(escalation):
    """(channel, address or username) of every message a rung queued."""
    rows = Notification.objects.filter(key__startswith=f"escalation:{escalation.pk}:")
    return {(n.channel, n.address or n.recipient.username) for n in rows}


@pytest.fixture
def overdue(flow, at):
    """A KJ consultation (3 working days, reminder 2 days before) dispatched Wed
    2026-09-23: due Tue 09-29 17:30, reminded Thu 09-24 (the Mid-autumn Festival
    25-27 does not count)."""
    at(2026, 9, 23, 10, 0)
    ticket = flow.to("handling", assists=(), kind="consult", summary="咨询公积金提取")
    lead = flow.lead(ticket)
    assert lead.reply_due == sh(2026, 9, 29, 17, 30)
    at(2026, 9, 24, 8, 31)
    assert sweeper.sweep()["reminders"] == 1
    return ticket, lead


def test_kj_ladder_every_rung_across_national_day_r_sv_2(overdue, flow, units, at):
    ticket, lead = overdue
    center, unit = units["QX-HL"], units["QX-ZJJ"]

    at(2026, 9, 29, 17, 31)  # overdue: red, but the first rung waits a working day
    assert sweeper.sweep()["escalations"] == 0
    lead.refresh_from_db()
    assert lead.warning == WarningLevel.RED
    assert lead.next_check_at == sh(2026, 9, 30, 8, 30)

    at(2026, 9, 30, 8, 29)
    assert sweeper.sweep()["checked"] == 0  # an index scan finds nothing due

    # Rung 1, Wed 09-30 08:30: the hotline's deputy head urges the unit's deputy head.
    at(2026, 9, 30, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    assert sweeper.sweep()["escalations"] == 0  # never twice
    deputy = Escalation.objects.get(rung="deputy")
    assert (deputy.level, deputy.measure, deputy.by_name) == (1, "urge", center.deputy_head_name)
    assert told(deputy) == {
        ("sms", center.deputy_head_phone),
        ("sms", unit.deputy_head_phone),
        ("inbox", "zjj_clerk"),
        ("inbox", "zjj_leader"),
        ("inbox", "supervisor1"),
    }
    task = Notification.objects.get(address=center.deputy_head_phone)
    assert unit.deputy_head_name in task.body and unit.deputy_head_phone in task.body
    assert ticket.number in task.body
    to_unit = Notification.objects.get(address=unit.deputy_head_phone)
    assert center.deputy_head_name in to_unit.body and "2026-09-29 17:30" in to_unit.body
    lead.refresh_from_db()
    # Rung 2 waits one working day: 10-01 to 10-07 are the National Day holiday.
    assert lead.next_check_at == sh(2026, 10, 8, 8, 30)

    at(2026, 10, 7, 17, 0)
    assert sweeper.sweep()["checked"] == 0

    # Rung 2, Thu 10-08 08:30: the hotline's head urges the unit's head.
    at(2026, 10, 8, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    head = Escalation.objects.get(rung="head")
    assert head.by_name == center.head_name
    assert told(head) == {
        ("sms", center.head_phone),
        ("sms", unit.head_phone),
        ("inbox", "zjj_clerk"),
        ("inbox", "zjj_leader"),
        ("inbox", "supervisor1"),
    }
    lead.refresh_from_db()
    # Two working days: Fri 10-09 and Sat 10-10, a make-up working day (调休上班).
    assert lead.next_check_at == sh(2026, 10, 10, 8, 30)

    # Rung 3, Sat 10-10 08:30: the numbered supervision letter (督办函).
    at(2026, 10, 10, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    letter = Document.objects.get(kind="letter")
    assert letter.number == "青溪12345督〔2026〕1号"
    assert letter.unit == unit and letter.ticket == ticket
    assert letter.issuer == center.name  # one issuer for every document (issue 15 item 14)
    assert letter.escalation.rung == "letter"
    history = [h["what"] for h in letter.facts["history"]]
    assert history[-2:] == ["分管领导催办", "主要负责人催办"]
    esc = Escalation.objects.get(rung="letter")
    assert told(esc) == {
        ("sms", unit.head_phone),
        ("sms", unit.liaison_phone),
        ("inbox", "zjj_clerk"),
        ("inbox", "zjj_leader"),
        ("inbox", "supervisor1"),
    }
    to_liaison = Notification.objects.get(address=unit.liaison_phone, key__startswith="escalation:")
    assert letter.number in to_liaison.body
    lead.refresh_from_db()
    assert lead.next_check_at == sh(2026, 10, 14, 8, 30)  # 12, 13, 14

    # Rung 4, Wed 10-14: efficiency supervision recommendation (no extension, R-SV-3).
    at(2026, 10, 14, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    recommendation = Document.objects.get(kind="recommendation")
    assert recommendation.number == "青溪12345效〔2026〕1号"
    assert recommendation.issuer == center.name
    lead.refresh_from_db()
    assert lead.next_check_at == sh(2026, 10, 16, 8, 30)

    # Rung 5, Fri 10-16: reminded three times (one reminder, two leaders) → criticism.
    at(2026, 10, 16, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    lead.refresh_from_db()
    assert lead.next_check_at is None  # the ladder is done
    at(2026, 10, 30, 9, 0)
    assert sweeper.sweep()["checked"] == 0

    assert list(Escalation.objects.filter(assignment=lead).values_list("level", "rung", "at")) == [
        (1, "deputy", sh(2026, 9, 30, 8, 30)),
        (2, "head", sh(2026, 10, 8, 8, 30)),
        (3, "letter", sh(2026, 10, 10, 8, 30)),
        (4, "recommendation", sh(2026, 10, 14, 8, 30)),
        (5, "criticism", sh(2026, 10, 16, 8, 30)),
    ]
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket, kind__in=MEASURE_EVENTS.values()).values_list(
            "kind", flat=True
        )
    )
    assert kinds == [
        "urged",
        "urged",
        "supervision_letter",
        "efficiency_recommendation",
        "publicly_criticised",
    ]
    listed = sel.criticism_list(dt.date(2026, 10, 1))
    assert [(r["number"], r["unit"], r["reminded"]) for r in listed] == [
        (ticket.number, unit.name, 3)
    ]
    assert sel.criticism_list(dt.date(2026, 9, 1)) == []
    bulletin = sel.bulletin(dt.date(2026, 10, 1))
    row = next(r for r in bulletin["rows"] if r["code"] == "QX-ZJJ")
    assert (row["urged"], row["letters"], row["recommendations"], row["criticised"]) == (1, 1, 1, 1)
    september = next(r for r in sel.bulletin(dt.date(2026, 9, 1))["rows"] if r["code"] == "QX-ZJJ")
    assert (september["reminders"], september["urged"], september["overdue"]) == (1, 1, 1)


def test_a_reply_stops_the_ladder(overdue, flow, at):
    ticket, _lead = overdue
    at(2026, 9, 30, 8, 30)
    sweeper.sweep()
    at(2026, 9, 30, 10, 0)
    flow.reply(ticket)  # written, but not a reply until the unit's leader approves it
    at(2026, 10, 8, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    at(2026, 10, 8, 9, 0)
    flow.approve_reply(ticket)
    at(2026, 10, 20, 9, 0)
    assert sweeper.sweep()["escalations"] == 0
    assert list(Escalation.objects.values_list("rung", flat=True)) == ["deputy", "head"]


def test_extension_asked_passes_over_the_recommendation_r_sv_3(overdue, flow, at):
    _ticket, lead = overdue
    for moment in [(2026, 9, 30, 8, 30), (2026, 10, 8, 8, 30), (2026, 10, 10, 8, 30)]:
        at(*moment)
        sweeper.sweep()
    UnitRequest.objects.create(
        assignment=lead, kind=UnitRequest.Kind.EXTENSION, reason="需现场勘查", days=3
    )
    # The recommendation falls due 10-14 and is passed over (an extension was asked for);
    # criticism, two working days after the letter (10-12, 10-13), is due by then too.
    at(2026, 10, 14, 8, 29)
    assert sweeper.sweep()["escalations"] == 0
    at(2026, 10, 14, 8, 30)
    assert sweeper.sweep()["escalations"] == 1
    assert list(Escalation.objects.values_list("rung", flat=True).order_by("level")) == [
        "deputy",
        "head",
        "letter",
        "criticism",
    ]
    assert not Document.objects.filter(kind="recommendation").exists()


def test_a_late_tick_climbs_one_rung_at_a_time(overdue, at):
    """After a long outage the unit still gets each rung's wait to respond."""
    at(2026, 10, 20, 9, 0)
    assert sweeper.sweep()["escalations"] == 1
    at(2026, 10, 21, 8, 29)
    assert sweeper.sweep()["escalations"] == 0
    at(2026, 10, 21, 8, 30)
    assert sweeper.sweep()["escalations"] == 1


def test_document_numbers_follow_a_yearly_sequence(overdue, flow, units, at):
    _ticket, lead = overdue
    at(2026, 12, 31, 10, 0)
    first = sv.document_issue(actor=flow.p["supervisor1"], assignment=lead, kind="letter")
    second = sv.document_issue(actor=flow.p["supervisor1"], assignment=lead, kind="letter")
    at(2027, 1, 4, 10, 0)
    third = sv.document_issue(actor=flow.p["supervisor1"], assignment=lead, kind="letter")
    assert [first.number, second.number, third.number] == [
        "青溪12345督〔2026〕1号",
        "青溪12345督〔2026〕2号",
        "青溪12345督〔2027〕1号",
    ]
    assert TicketEvent.objects.filter(kind="supervision_letter", data__manual=True).count() == 3


def test_missing_contacts_are_recorded_not_fatal(overdue, units, at):
    unit = units["QX-ZJJ"]
    unit.deputy_head_name = unit.deputy_head_phone = ""
    unit.save()
    at(2026, 9, 30, 8, 30)
    sweeper.sweep()
    deputy = Escalation.objects.get(rung="deputy")
    assert {"role": "unit_deputy_head", "missing": True} in deputy.recipients


# --- the pure rung arithmetic ---------------------------------------------------------------


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar.from_chinesecalendar()


RULES = ClockRules()


def test_rung_moment_in_working_days_across_spring_festival(calendar):
    # Fri 2026-02-13 17:30 + 1 working day → Sat 02-14, a make-up working day (调休).
    assert ladder.rung_moment(calendar, RULES, sh(2026, 2, 13, 17, 30), working_days(1)) == sh(
        2026, 2, 14, 8, 30
    )
    # + 2 working days → after the holiday (15-23 off): Tue 02-24.
    assert ladder.rung_moment(calendar, RULES, sh(2026, 2, 13, 17, 30), working_days(2)) == sh(
        2026, 2, 24, 8, 30
    )
    assert ladder.rung_moment(calendar, RULES, sh(2026, 2, 13, 9), working_days(0)) == sh(
        2026, 2, 13, 9
    )


def test_rung_moment_in_working_and_natural_hours(calendar):
    start = sh(2026, 9, 30, 16, 30)
    four = Period(PeriodUnit.WORKING_HOURS, 4)
    assert ladder.rung_moment(calendar, RULES, start, four) == sh(2026, 10, 8, 11, 30)
    day = Period(PeriodUnit.NATURAL_HOURS, 24)
    assert ladder.rung_moment(calendar, RULES, start, day) == sh(2026, 10, 1, 16, 30)
