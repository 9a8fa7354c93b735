"""The rules kept as model methods (issue 19 item 4): each asked in one place."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.accounts.models import Role, User
from hotline.core.dates import local_moment
from hotline.core.numbering import next_in_series
from hotline.tickets import services as s
from hotline.tickets.models import Reply, Submission, SubmissionCounter, TicketCounter, UnitRequest

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def test_the_approved_reply_of_the_lead(flow, people):
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    assert ticket.approved_reply() is None and lead.approved_reply() is None
    flow.reply(ticket, text="第一次答复")
    assert ticket.approved_reply() is None  # written, not yet approved by the unit leader
    flow.approve_reply(ticket)
    first = lead.replies.get(state=Reply.State.APPROVED)
    assert ticket.approved_reply() == first == lead.approved_reply()
    flow.complete(ticket)
    s.ticket_redo(actor=people["visitor1"], ticket=ticket, reason="诉求人不满意")
    flow.reply(ticket, text="第二次答复")
    flow.approve_reply(ticket)
    second = ticket.approved_reply()
    assert second is not None and second.text == "第二次答复"
    assert lead.approved_reply() == second  # the latest, once a redo brought a second


def test_a_refused_completion_leaves_no_approved_reply(flow, people):
    ticket = flow.to("replied")
    s.completion_decide(
        actor=people["dispatcher1"], ticket=ticket, approve=False, note="未答复全部诉求"
    )
    assert ticket.approved_reply() is None


def test_a_pending_request_of_a_kind(flow, people):
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    assert lead.pending_request(UnitRequest.Kind.SEND_BACK) is None
    request = s.send_back_request(
        actor=flow.clerk(lead), assignment=lead, reason="不属本单位职责", legal_basis="三定方案"
    )
    assert lead.pending_request(UnitRequest.Kind.SEND_BACK) == request
    assert lead.pending_request(UnitRequest.Kind.EXTENSION) is None
    assert lead.pending_requests() == [request]
    assert request.is_pending() and request.is_pending(UnitRequest.Kind.SEND_BACK)
    assert not request.is_pending(UnitRequest.Kind.EXTENSION)
    assert list(UnitRequest.objects.pending(UnitRequest.Kind.SEND_BACK)) == [request]
    assert not UnitRequest.objects.pending(UnitRequest.Kind.EXTENSION).exists()
    s.send_back_decide(
        actor=people["dispatcher1"], request=request, approve=False, note="属本单位职责"
    )
    assert lead.pending_request(UnitRequest.Kind.SEND_BACK) is None
    assert not UnitRequest.objects.pending().exists()


def test_the_active_staff_of_a_unit(people, units):
    unit = units["QX-ZJJ"]
    staff = {
        u
        for u in people.values()
        if u.unit_id == unit.pk and u.role in (Role.UNIT_CLERK, Role.UNIT_LEADER)
    }
    assert staff and set(User.objects.unit_staff(unit)) == staff
    assert set(User.objects.unit_staff(unit.pk)) == staff
    gone = staff.pop()
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert set(unit.members.unit_staff(unit)) == staff
    both = set(User.objects.unit_staff(unit.pk, units["QX-CD"].pk))
    assert staff < both and all(u.unit_id in (unit.pk, units["QX-CD"].pk) for u in both)


def test_the_local_time_of_a_moment():
    moment = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
    assert local_moment(moment) == "2026-12-03 17:30"
    assert local_moment(None) == "—" and local_moment(None, empty="") == ""
    assert local_moment("2026-12-03 17:30") == "2026-12-03 17:30"  # kept as text in events


def test_one_counter_takes_consecutive_numbers(at):
    day = dt.date(2026, 12, 4)
    assert next_in_series(TicketCounter, day=day) == 1
    assert next_in_series(TicketCounter, count=3, day=day) == 4
    at(2026, 12, 4, 23, 59)
    assert TicketCounter.take(dt.datetime(2026, 12, 4, 23, 59, tzinfo=SH), 2) == [
        "2026120400005",
        "2026120400006",
    ]
    assert TicketCounter.objects.get(day=day).last == 6


def test_submission_numbers_come_from_the_counter(at):
    at(2026, 12, 4, 10, 0)
    now = dt.datetime(2026, 12, 4, 10, 0, tzinfo=SH)
    first = Submission.take_number(Submission.Kind.SUBMISSION, now)
    second = Submission.take_number(Submission.Kind.SUBMISSION, now)
    assert (first, second) == ("CP20261204001", "CP20261204002")
    assert Submission.take_number(Submission.Kind.SPECIAL_REPORT, now) == "ZB20261204001"
    assert SubmissionCounter.objects.get(series="CP", day=dt.date(2026, 12, 4)).last == 2


def test_two_submissions_in_sequence_get_different_numbers_from_the_counter(flow, people, at):
    """count()+1 gave two concurrent submissions the same number, and so does it after a
    deletion; the counter's row lock and upsert never hand a number out twice."""
    at(2026, 12, 4, 10, 0)

    def submit(title):
        return s.submission_create(
            actor=people["dispatcher1"],
            tickets=[flow.create()],
            kind="submission",
            title=title,
            body="正文",
        )

    first, second = submit("第一份"), submit("第二份")
    assert first.number != second.number
    assert (first.number, second.number) == ("CP20261204001", "CP20261204002")
    assert SubmissionCounter.objects.get(series="CP", day=dt.date(2026, 12, 4)).last == 2
    first.delete()
    assert submit("第三份").number == "CP20261204003"  # count()+1 would repeat 002
