"""On-site supervision and coordination meeting records (R-SV-4, R-SV-5)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.core.errors import DomainError, PermissionDenied
from hotline.notifications.models import Notification
from hotline.supervision import services as sv
from hotline.supervision.models import Meeting
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures

SH = ZoneInfo("Asia/Shanghai")


def test_meeting_record_writes_one_event_per_ticket_and_tells_the_units(flow, people, units):
    first = flow.to("handling", assists=())
    second = flow.to("handling", assists=())
    meeting = sv.meeting_record(
        actor=people["dispatcher1"],
        kind="coordination",
        held_at=dt.datetime(2026, 10, 9, 15, 0, tzinfo=SH),
        place="热线中心三楼会议室",
        subject="电梯停运责任划分",
        units=[units["QX-ZJJ"], units["QX-CD"]],
        tickets=[first, second],
        attendees="住建局 陈志强；城东街道 沈伟",
        decisions="由住建局牵头，城东街道协助，10月16日前答复",
        follow_up_due=dt.date(2026, 10, 16),
    )
    assert set(meeting.tickets.all()) == {first, second}
    for ticket in (first, second):
        event = ticket.events.get(kind="coordination_meeting")
        assert event.data["meeting"] == meeting.pk and "住建局牵头" in event.data["note"]
    told = Notification.objects.filter(key__startswith=f"meeting:{meeting.pk}:")
    assert {n.recipient.username for n in told} == {
        "zjj_clerk",
        "zjj_leader",
        "cd_clerk",
        "cd_leader",
    }


def test_meeting_record_checks_permission_and_content(flow, people, units):
    ticket = flow.to("handling", assists=())
    args = {
        "kind": "onsite",
        "held_at": dt.datetime(2026, 10, 9, 15, 0, tzinfo=SH),
        "place": "幸福小区",
        "subject": "现场督办电梯维修",
        "units": [units["QX-ZJJ"]],
        "tickets": [ticket],
        "attendees": "周正平",
        "decisions": "三日内修复",
    }
    with pytest.raises(PermissionDenied):
        sv.meeting_record(actor=people["operator1"], **args)
    with pytest.raises(PermissionDenied):  # a unit may not record, nor see other tickets
        sv.meeting_record(actor=people["cgj_clerk"], **args)
    with pytest.raises(DomainError):
        sv.meeting_record(actor=people["supervisor1"], **{**args, "units": []})
    with pytest.raises(DomainError):
        sv.meeting_record(actor=people["supervisor1"], **{**args, "decisions": " "})
    assert not Meeting.objects.exists()
    sv.meeting_record(actor=people["supervisor1"], **args)
    assert ticket.events.filter(kind="onsite_supervision").count() == 1


def test_meeting_pages_keep_input_on_error(client, flow, people, units):
    ticket = flow.to("handling", assists=())
    client.force_login(people["supervisor1"])
    form = {
        "kind": "onsite",
        "held_at": "2026-10-09T15:00",
        "place": "幸福小区",
        "subject": "现场督办电梯维修",
        "units": [units["QX-ZJJ"].pk],
        "tickets": f"{ticket.number}, 2099010100001",
        "attendees": "周正平",
        "decisions": "三日内修复",
    }
    response = client.post("/supervision/meetings/new/", form)
    body = response.content.decode()
    assert response.status_code == 400
    assert "2099010100001" in body and "现场督办电梯维修" in body  # input kept
    form["tickets"] = ticket.number
    response = client.post("/supervision/meetings/new/", form, follow=True)
    body = response.content.decode()
    assert "现场督办电梯维修" in body and ticket.number in body
    assert ticket.events.filter(kind="onsite_supervision").count() == 1
    client.force_login(people["zjj_clerk"])
    assert client.get("/supervision/meetings/").status_code == 403
    assert client.get("/supervision/meetings/new/").status_code == 403
    client.force_login(people["dispatcher1"])
    assert client.get("/supervision/meetings/").status_code == 200
