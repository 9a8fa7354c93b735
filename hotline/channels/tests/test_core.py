"""The online queue's core: store once, review deadline, accept / merge / decline into the
one intake service (R-IN-1, R-IN-4)."""

from datetime import datetime

import pytest
from django.core.files.base import ContentFile

from hotline.channels import selectors, services
from hotline.channels.models import OnlineRequest
from hotline.channels.tests.conftest import PNG, SH
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.core.models import AuditEvent
from hotline.notifications.models import Notification
from hotline.tickets.models import Ticket


def test_online_request_gets_number_and_review_deadline_from_receipt_r_in_1(make_request, at):
    """At night a request waits in the queue; its 2 working hours count from the next
    working morning (online channels accept at any hour, R-IN-1)."""
    at(2025, 9, 25, 22, 30)  # Thursday night
    request = make_request()
    assert request.was_created and request.state == OnlineRequest.State.PENDING
    assert request.number.startswith("W20250925")
    assert request.received_at == datetime(2025, 9, 25, 22, 30, tzinfo=SH)
    due = request.accept_due.astimezone(SH)
    assert (due.date(), due.hour) == (datetime(2025, 9, 26).date(), 10)
    note = Notification.objects.get(key=f"online:{request.pk}:received:email")
    assert request.number in note.body and note.address == "zhang@example.org"


def test_same_external_id_is_stored_once(make_request):
    first = make_request(external_id="<abc@mail>")
    again = make_request(external_id="<abc@mail>", subject="另一个标题")
    assert again.pk == first.pk and not again.was_created
    assert OnlineRequest.objects.count() == 1
    assert Notification.objects.filter(key__startswith=f"online:{first.pk}:").count() == 1
    other_channel = make_request(channel="sms", external_id="<abc@mail>", phone="13800001111")
    assert other_channel.pk != first.pk


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("body", "路灯\x00坏了", "invalid_encoding"),
        ("subject", "路灯\ud800", "invalid_encoding"),
        ("body", "长" * 20001, "too_long"),
        ("subject", 12, "invalid_type"),
        ("email", "not-an-address", "invalid_email"),
    ],
)
def test_bad_text_is_refused_and_nothing_written(make_request, field, value, code):
    with pytest.raises(DomainError) as refused:
        make_request(**{field: value})
    assert refused.value.code == code
    assert not OnlineRequest.objects.exists() and not Notification.objects.exists()


def test_without_any_contact_is_refused(make_request):
    with pytest.raises(DomainError, match="手机号码或电子邮箱"):
        make_request(email="")


def test_closed_channel_answers_clearly(make_request, users):
    services.channel_configure(
        actor=users["admin"], channel="mailbox", open=False, closed_message="本市信箱已停用"
    )
    assert not selectors.channel_is_open("mailbox")
    with pytest.raises(DomainError, match="本市信箱已停用") as refused:
        make_request()
    assert refused.value.code == "channel_closed"
    with pytest.raises(PermissionDenied):
        services.channel_configure(actor=users["operator"], channel="mailbox", open=True)


def test_bad_parts_are_dropped_with_their_reason(make_request):
    good = ContentFile(PNG, name="photo.png")
    virus = ContentFile(b"MZ\x90\x00", name="invoice.exe")
    liar = ContentFile(b"not a png", name="fake.png")
    request = make_request(
        files=[good, virus, liar], dropped=[{"name": "part-3", "reason": "MIME 结构损坏"}]
    )
    assert [a.name for a in request.attachments.all()] == ["photo.png"]
    reasons = {d["name"]: d["reason"] for d in request.dropped}
    assert "不支持的附件类型" in reasons["invoice.exe"]
    assert "不符" in reasons["fake.png"]
    assert reasons["part-3"] == "MIME 结构损坏"


def test_accept_as_is_makes_one_ticket_with_the_channel(make_request, operator):
    request = make_request(files=[ContentFile(PNG, name="photo.png")], place="青溪路 12 号")
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    request.refresh_from_db()
    assert request.state == OnlineRequest.State.ACCEPTED and request.ticket == ticket
    assert ticket.channel == "mailbox" and ticket.status == "pending_dispatch"
    assert ticket.summary == "小区门口路灯不亮" and ticket.address == "青溪路 12 号"
    assert ticket.citizen.email == "zhang@example.org" and ticket.citizen.phone == ""
    assert ticket.citizen.name == "张三"
    assert [a.name for a in ticket.attachments.all()] == ["photo.png"]
    told = Notification.objects.get(key=f"online:{request.pk}:accepted:email")
    assert ticket.number in told.subject
    event = AuditEvent.objects.get(kind="online_request_accepted")
    assert event.data["edited"] == []
    with pytest.raises(Conflict):
        services.online_request_accept(actor=operator, request=request, kind="help")
    assert Ticket.objects.count() == 1


def test_edit_accept_keeps_the_operators_words(make_request, operator):
    request = make_request(phone="13800002222")
    ticket = services.online_request_accept(
        actor=operator,
        request=request,
        kind="complaint",
        summary="路灯故障一个月未修",
        place="青溪路 12 号",
    )
    assert ticket.summary == "路灯故障一个月未修" and ticket.kind == "complaint"
    assert ticket.citizen.phone == "13800002222"
    assert AuditEvent.objects.get(kind="online_request_accepted").data["edited"] == [
        "place",
        "subject",
    ]


def test_merge_records_a_repeat_linked_to_the_earlier_ticket_r_in_4(make_request, operator):
    first = services.online_request_accept(
        actor=operator, request=make_request(external_id="1"), kind="help"
    )
    repeat = make_request(external_id="2", name="李四", email="li@example.org")
    ticket = services.online_request_merge(actor=operator, request=repeat, into=first)
    repeat.refresh_from_db()
    assert repeat.state == OnlineRequest.State.MERGED and repeat.merged_into == first
    assert ticket.related_to == first and ticket.decline_reason == "repeat"
    assert ticket.channel == "mailbox"
    told = Notification.objects.get(key=f"online:{repeat.pk}:merged:email")
    assert first.number in told.body


def test_decline_tells_the_citizen_the_reason_r_in_4(make_request, operator):
    request = make_request(phone="13800003333", email="", reply_channel="sms")
    with pytest.raises(DomainError):
        services.online_request_decline(actor=operator, request=request, reason=" ")
    services.online_request_decline(
        actor=operator, request=request, reason="属外市事项", code="other_city"
    )
    request.refresh_from_db()
    assert request.state == OnlineRequest.State.DECLINED and request.ticket is None
    told = Notification.objects.get(key=f"online:{request.pk}:declined:sms")
    assert "属外市事项" in told.body and "12345" in told.body and told.address == "13800003333"


def test_only_operators_review(make_request, users):
    request = make_request()
    for role in ("unit_clerk", "dispatcher", "admin"):
        with pytest.raises(PermissionDenied):
            services.online_request_accept(actor=users[role], request=request, kind="help")
    assert not selectors.online_queue(users["unit_clerk"]).exists()
    assert selectors.online_queue(users["operator"]).count() == 1


def test_late_requests_show_after_their_deadline(make_request, users, at):
    at(2025, 9, 26, 9, 0)  # Friday morning: due 11:00
    request = make_request()
    supervisor = users["supervisor"]
    assert not selectors.late_requests(supervisor).exists()
    at(2025, 9, 26, 11, 30)
    assert list(selectors.late_requests(supervisor)) == [request]
