"""Every write of the channels app (design rule 1).

An online request is stored once per (channel, external id), waits in the online queue
with its review deadline counted from receipt (R-IN-1: online channels take requests at
any hour), and an operator accepts it (as is or edited), merges it with a repeat, or
declines it. Accepting and merging end in the one intake service,
`hotline.tickets.services.ticket_create`, so a request from any channel is one ticket with
its channel recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts.permissions import Capability, require
from hotline.channels import text
from hotline.channels.models import (
    ChannelConfig,
    MessageSecurity,
    OnlineAttachment,
    OnlineRequest,
    ReplyChannel,
)
from hotline.channels.selectors import channel_closed_message, channel_is_open
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.core.models import audit
from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.notifications.models import Channel as NotifyChannel
from hotline.notifications.services import notify
from hotline.sla.compute import clock_rules, period_deadline
from hotline.sla.deadlines import DEFAULT_RULES
from hotline.sla.policies import Kind, Period, PeriodUnit
from hotline.sla.selectors import default_policy_version, work_calendar
from hotline.tickets import attachments as attachment_rules
from hotline.tickets.models import DECLINE_GUIDANCE, Channel, DeclineReason, Handling, Ticket
from hotline.tickets.services import attachment_add, ticket_create

ONLINE_CHANNELS = frozenset(Channel.values) - {Channel.PHONE}
MAX_FILES = 10


def accept_due(received_at: datetime) -> datetime | None:
    """The review deadline: HOTLINE_ONLINE_ACCEPT_HOURS working hours from receipt, on the
    default policy's working day (a request at night counts from the next morning)."""
    version = default_policy_version()
    rules = clock_rules(version.as_policy()) if version else DEFAULT_RULES
    period = Period(PeriodUnit.WORKING_HOURS, float(settings.HOTLINE_ONLINE_ACCEPT_HOURS))
    return period_deadline(work_calendar(), received_at, period, rules, explain=False).due


def _check_files(files: Iterable[Any]) -> tuple[list[tuple[Any, str]], list[dict]]:
    """Split uploads into (file, content type) kept and {"name", "reason"} dropped, with
    the tickets' own attachment rules (type on the bytes, size before reading whole)."""
    kept: list[tuple[Any, str]] = []
    dropped: list[dict] = []
    for upload in files:
        name = text.scrub(str(getattr(upload, "name", "") or "附件"))[:200]
        if len(kept) >= MAX_FILES:
            dropped.append({"name": name, "reason": f"附件超过 {MAX_FILES} 个"})
            continue
        try:
            head = upload.read(16)
            upload.seek(0)
            kept.append((upload, attachment_rules.check(name, head, upload.size)))
        except DomainError as exc:
            dropped.append({"name": name, "reason": exc.message})
    return kept, dropped


def _contact_notice(request: OnlineRequest, subject: str, body: str, *, key: str) -> None:
    """Tell the citizen by the way they chose, else the way they wrote: e-mail or SMS.
    WeChat followers get a template message (notifications' "wechat" channel)."""
    prefer = request.reply_channel
    if request.wechat_openid and (prefer == ReplyChannel.WECHAT or not request.phone):
        notify(
            channel=NotifyChannel.WECHAT,
            address=request.wechat_openid,
            subject=subject,
            body=body,
            ticket=request.ticket,
            key=f"{key}:wechat",
        )
    elif request.email and (prefer == ReplyChannel.EMAIL or not request.phone):
        notify(
            channel=NotifyChannel.EMAIL,
            address=request.email,
            subject=subject,
            body=body,
            ticket=request.ticket,
            key=f"{key}:email",
        )
    elif request.phone and prefer != ReplyChannel.WECHAT:
        notify(
            channel=NotifyChannel.SMS,
            address=request.phone,
            subject=subject,
            body=body,
            ticket=request.ticket,
            key=f"{key}:sms",
        )


def online_request_create(
    *,
    channel: str,
    subject: str,
    body: str,
    place: str = "",
    kind: str = "",
    name: str = "",
    phone: str = "",
    email: str = "",
    wechat_openid: str = "",
    confidential: bool = False,
    reply_channel: str = "",
    external_id: str = "",
    files: Sequence[Any] = (),
    dropped: Sequence[dict] = (),
    received_at: datetime | None = None,
) -> OnlineRequest:
    """Store one request from an online channel, once per (channel, external_id): the same
    mail, message or partner transfer offered again returns the request already stored
    (`was_created` False) and tells nobody twice. A closed channel is refused (R-IN-1)."""
    if channel not in ONLINE_CHANNELS:
        raise DomainError("未知的受理渠道", code="invalid_channel")
    if not channel_is_open(channel):
        raise DomainError(channel_closed_message(channel), code="channel_closed")
    subject = text.clean(subject, label="标题", max_length=200)
    body = text.clean(body, label="诉求内容", max_length=20000)
    if not body and not subject:
        raise DomainError("请填写诉求内容", code="required")
    place = text.clean(place, label="地点", max_length=200)
    name = text.clean(name, label="姓名", max_length=50)
    phone = text.check_phone(phone)
    email = text.check_email(email)
    wechat_openid = text.clean(wechat_openid, label="微信用户", max_length=64)
    external_id = text.clean(external_id, label="外部编号", max_length=250)
    if kind and kind not in {k.value for k in Kind}:
        raise DomainError("未知的诉求类型", code="invalid_kind")
    if reply_channel and reply_channel not in ReplyChannel.values:
        raise DomainError("未知的答复方式", code="invalid_reply_channel")
    if not (phone or email or wechat_openid):
        raise DomainError("请留下手机号码或电子邮箱，以便告知办理结果", code="no_contact")
    if external_id:
        existing = OnlineRequest.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            existing.was_created = False
            return existing
    kept, refused = _check_files(files)
    refused = [*dropped, *refused]
    received_at = received_at or clock.now()
    try:
        with transaction.atomic():
            request = OnlineRequest.objects.create(
                channel=channel,
                external_id=external_id,
                subject=subject or body[:30],
                body=body or subject,
                place=place,
                kind=kind,
                name=name,
                phone=phone,
                email=email,
                wechat_openid=wechat_openid,
                confidential=bool(confidential),
                reply_channel=reply_channel,
                received_at=received_at,
                accept_due=accept_due(received_at),
                dropped=refused,
            )
            request.number = f"W{timezone.localtime(received_at):%Y%m%d}{request.pk:06d}"
            request.save(update_fields=["number"])
            for upload, content_type in kept:
                part = OnlineAttachment(
                    request=request,
                    name=text.scrub(upload.name)[:200],
                    size=upload.size,
                    content_type=content_type,
                )
                part.file.save(part.name, upload, save=False)
                part.save()
            audit(
                kind="online_request_received",
                actor=None,
                object_type="online_request",
                object_id=request.pk,
                channel=channel,
                files=len(kept),
                dropped=[d["reason"] for d in refused],
            )
            _contact_notice(
                request,
                "12345热线：已收到您的诉求",
                f"您的诉求（{request.subject}）已收到，受理编号 {request.number}。"
                "热线将尽快审核受理，受理后告知工单编号。",
                key=f"online:{request.pk}:received",
            )
    except IntegrityError:
        # A concurrent delivery of the same message stored it first.
        existing = OnlineRequest.objects.filter(channel=channel, external_id=external_id).first()
        if existing is None:
            raise
        existing.was_created = False
        return existing
    request.was_created = True
    return request


def _report_transfer(request: OnlineRequest, state: str, **detail: str) -> None:
    """A transfer in: the partner hotline it came from is told (ZS 24)."""
    if request.channel == Channel.TRANSFER:
        from hotline.channels.transfers import report_back

        report_back(request=request, state=state, **detail)


def _lock_pending(request: OnlineRequest) -> OnlineRequest:
    locked = OnlineRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != OnlineRequest.State.PENDING:
        raise Conflict(f"该诉求已{locked.get_state_display()}，不能重复审核")
    return locked


def _contact(request: OnlineRequest, phone: str) -> dict[str, str]:
    """The citizen's contact on the ticket, each in its own field: the phone (the
    operator's, else the request's), the e-mail and the WeChat follower (issue 13)."""
    contact = {
        "phone": phone or request.phone,
        "email": request.email,
        "wechat_openid": request.wechat_openid,
    }
    if not any(contact.values()):
        raise DomainError("该诉求没有可记录的联系方式，请填写手机号码后受理", code="no_contact")
    return contact


def _files_to_ticket(actor, request: OnlineRequest, ticket: Ticket) -> None:
    for part in request.attachments.all():
        with part.file.open("rb") as handle:
            attachment_add(actor=actor, ticket=ticket, upload=File(handle, name=part.name))


def online_request_accept(
    *,
    actor,
    request: OnlineRequest,
    kind: str,
    summary: str = "",
    detail: str = "",
    place: str = "",
    name: str = "",
    phone: str = "",
    confidential: bool | None = None,
    urgency: str = "normal",
    region: Unit | None = None,
    topic: Topic | None = None,
    catalog_item: CatalogItem | None = None,
) -> Ticket:
    """Accept into a ticket, as is or with the operator's edits (受理审核, R-IN-1)."""
    require(actor, Capability.INTAKE)
    summary = text.clean(summary, label="诉求摘要", max_length=200)
    detail = text.clean(detail, label="诉求内容", max_length=20000)
    place = text.clean(place, label="地点", max_length=200)
    name = text.clean(name, label="姓名", max_length=50)
    phone = text.check_phone(phone)
    with transaction.atomic():
        request = _lock_pending(request)
        contact = _contact(request, phone)
        edits = {
            field: value
            for field, value in (
                ("subject", summary),
                ("body", detail),
                ("place", place),
                ("name", name),
            )
            if value and value != getattr(request, field)
        }
        ticket = ticket_create(
            actor=actor,
            phone=contact["phone"],
            email=contact["email"],
            wechat_openid=contact["wechat_openid"],
            name=name or request.name,
            summary=summary or request.subject,
            detail=detail or request.body,
            address=place or request.place,
            kind=kind,
            channel=request.channel,
            urgency=urgency,
            confidential=request.confidential if confidential is None else confidential,
            region=region,
            topic=topic,
            catalog_item=catalog_item,
            handling=Handling.DISPATCH,
        )
        _files_to_ticket(actor, request, ticket)
        request.state, request.ticket = OnlineRequest.State.ACCEPTED, ticket
        request.handled_by, request.handled_at = actor, clock.now()
        request.save(update_fields=["state", "ticket", "handled_by", "handled_at"])
        audit(
            kind="online_request_accepted",
            actor=actor,
            object_type="online_request",
            object_id=request.pk,
            ticket=ticket.number,
            edited=sorted(edits),
        )
        _contact_notice(
            request,
            f"12345热线：诉求已受理，工单编号 {ticket.number}",
            f"您的诉求（受理编号 {request.number}）已受理，工单编号 {ticket.number}。"
            "可凭工单编号和手机号码查询办理进度。",
            key=f"online:{request.pk}:accepted",
        )
        _report_transfer(request, "accepted", number=ticket.number)
    return ticket


def online_request_merge(
    *, actor, request: OnlineRequest, into: Ticket, kind: str = "", note: str = ""
) -> Ticket:
    """A repeat of a matter in progress or completed: recorded by the intake service as not
    accepted for being a repeat, linked to the earlier ticket, whose progress the citizen
    is told (R-IN-4, ZS 13)."""
    require(actor, Capability.INTAKE)
    note = text.clean(note, label="说明", max_length=500)
    with transaction.atomic():
        request = _lock_pending(request)
        contact = _contact(request, "")
        ticket = ticket_create(
            actor=actor,
            phone=contact["phone"],
            email=contact["email"],
            wechat_openid=contact["wechat_openid"],
            name=request.name,
            summary=request.subject,
            detail=request.body,
            address=request.place,
            kind=kind or request.kind or into.kind,
            channel=request.channel,
            confidential=request.confidential,
            handling=Handling.DECLINE,
            decline_reason=DeclineReason.REPEAT,
            related_to=into,
        )
        request.state, request.ticket, request.merged_into = (
            OnlineRequest.State.MERGED,
            ticket,
            into,
        )
        request.handled_by, request.handled_at = actor, clock.now()
        request.save(update_fields=["state", "ticket", "merged_into", "handled_by", "handled_at"])
        audit(
            kind="online_request_merged",
            actor=actor,
            object_type="online_request",
            object_id=request.pk,
            ticket=ticket.number,
            into=into.number,
            note=note,
        )
        _contact_notice(
            request,
            f"12345热线：您的诉求已并入工单 {into.number}",
            f"您的诉求（受理编号 {request.number}）与工单 {into.number} 反映的事项相同，"
            f"已并入该工单办理，当前状态：{into.get_status_display()}。",
            key=f"online:{request.pk}:merged",
        )
        _report_transfer(request, "accepted", number=into.number, result="与已有工单合并办理")
    return ticket


def online_request_decline(
    *, actor, request: OnlineRequest, reason: str, code: str = ""
) -> OnlineRequest:
    """Not accepted, with the reason the citizen is told (R-IN-4, ZS 14); `code` adds the
    guidance of one of the intake's reasons (emergency, other city, ...)."""
    require(actor, Capability.INTAKE)
    reason = text.clean(reason, label="不予受理的理由", max_length=500, required=True)
    if code and code not in DeclineReason.values:
        raise DomainError("未知的不予受理原因", code="invalid_reason")
    guidance = DECLINE_GUIDANCE.get(code, "")
    with transaction.atomic():
        request = _lock_pending(request)
        request.state = OnlineRequest.State.DECLINED
        request.decline_reason = reason
        request.handled_by, request.handled_at = actor, clock.now()
        request.save(update_fields=["state", "decline_reason", "handled_by", "handled_at"])
        audit(
            kind="online_request_declined",
            actor=actor,
            object_type="online_request",
            object_id=request.pk,
            reason=reason,
            code=code,
        )
        _contact_notice(
            request,
            "12345热线：诉求未予受理",
            f"您的诉求（受理编号 {request.number}）未予受理。理由：{reason}"
            + (f" {guidance}" if guidance else ""),
            key=f"online:{request.pk}:declined",
        )
        _report_transfer(request, "declined", result=reason)
    return request


ROBOT = "channels-robot"


def channel_robot():
    """The account the channels act as when a citizen records something themselves (a
    visit answered by SMS): a visitor without a password, named in the event log."""
    from hotline.accounts.models import Role, User

    robot, made = User.objects.get_or_create(
        username=ROBOT,
        defaults={"role": Role.VISITOR, "full_name": "渠道自动处理", "is_active": True},
    )
    if made:
        robot.set_unusable_password()
        robot.save(update_fields=["password"])
    return robot


def _check_aes_key(key: str) -> str:
    """WeChat's EncodingAESKey: 43 characters of base64 that decode to 32 bytes."""
    import base64
    import binascii

    key = key.strip()
    try:
        ok = len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise DomainError("EncodingAESKey 应为微信公众平台生成的 43 位字符", code="invalid_aes_key")
    return key


def channel_configure(
    *,
    actor,
    channel: str,
    open: bool,
    closed_message: str = "",
    message_security: str | None = None,
    aes_key: str | None = None,
) -> ChannelConfig:
    """Open or close a channel (R-IN-1: the set of open channels is configuration); for
    WeChat also its message security (plain / compatible / safe) and EncodingAESKey. A
    None keeps what is set (an empty key field on the page keeps the stored key)."""
    require(actor, Capability.MANAGE)
    if channel not in Channel.values:
        raise DomainError("未知的受理渠道", code="invalid_channel")
    closed_message = text.clean(closed_message, label="关闭提示", max_length=200)
    if message_security is not None and message_security not in MessageSecurity.values:
        raise DomainError("未知的消息加解密方式", code="invalid_security")
    if aes_key:
        aes_key = _check_aes_key(aes_key)
    with transaction.atomic():
        config, _made = ChannelConfig.objects.select_for_update().get_or_create(channel=channel)
        config.open, config.closed_message = bool(open), closed_message
        if message_security is not None:
            config.message_security = message_security
        if aes_key:
            config.aes_key = aes_key
        if config.message_security != MessageSecurity.PLAIN:
            if channel != Channel.WECHAT:
                raise DomainError("只有微信渠道可以设置消息加解密", code="invalid_security")
            if not config.aes_key:
                raise DomainError("兼容模式和安全模式需要填写 EncodingAESKey", code="no_aes_key")
        config.updated_by, config.updated_at = actor, clock.now()
        config.save()
        audit(
            kind="channel_configured",
            actor=actor,
            object_type="channel",
            object_id=channel,
            open=config.open,
            message_security=config.message_security,
        )
    return config
