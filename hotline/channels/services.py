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
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.channels import text

# Settings and the robot account live in channels.config; still importable from here.
from hotline.channels.config import ROBOT, channel_configure, channel_robot  # noqa: F401
from hotline.channels.models import (
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
        name = text.scrub(str(getattr(upload, "name", "") or _("attachment")))[:200]
        if len(kept) >= MAX_FILES:
            dropped.append(
                {
                    "name": name,
                    "reason": _("more than %(count)s attachments") % {"count": MAX_FILES},
                }
            )
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
        raise DomainError(_("Unknown channel"), code="invalid_channel")
    if not channel_is_open(channel):
        raise DomainError(channel_closed_message(channel), code="channel_closed")
    subject = text.clean(subject, label=_("title"), max_length=200)
    body = text.clean(body, label=_("request text"), max_length=20000)
    if not body and not subject:
        raise DomainError(
            _("Please fill in %(label)s") % {"label": _("request text")}, code="required"
        )
    place = text.clean(place, label=_("place"), max_length=200)
    name = text.clean(name, label=_("citizen's name"), max_length=50)
    phone = text.check_phone(phone)
    email = text.check_email(email)
    wechat_openid = text.clean(wechat_openid, label=_("WeChat user"), max_length=64)
    external_id = text.clean(external_id, label=_("external number"), max_length=250)
    if kind and kind not in {k.value for k in Kind}:
        raise DomainError(_("Unknown kind of request"), code="invalid_kind")
    if reply_channel and reply_channel not in ReplyChannel.values:
        raise DomainError(_("Unknown way to reply"), code="invalid_reply_channel")
    if not (phone or email or wechat_openid):
        raise DomainError(
            _(
                "Please leave a mobile number or an e-mail address so that we can tell you "
                "the result"
            ),
            code="no_contact",
        )
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
                _("12345 hotline: we have your request"),
                _(
                    "Your request (%(subject)s) has been received, request number %(number)s. "
                    "The hotline will review it soon and tell you the ticket number once it is "
                    "accepted."
                )
                % {"subject": request.subject, "number": request.number},
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
        raise Conflict(
            _("This request is already %(state)s and cannot be reviewed again")
            % {"state": locked.get_state_display()}
        )
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
        raise DomainError(
            _(
                "This request has no contact that can be recorded; fill in a mobile number "
                "to accept it"
            ),
            code="no_contact",
        )
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
    summary = text.clean(summary, label=_("request summary"), max_length=200)
    detail = text.clean(detail, label=_("request text"), max_length=20000)
    place = text.clean(place, label=_("place"), max_length=200)
    name = text.clean(name, label=_("citizen's name"), max_length=50)
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
            _("12345 hotline: request accepted, ticket number %(number)s")
            % {"number": ticket.number},
            _(
                "Your request (request number %(request)s) has been accepted, ticket number "
                "%(number)s. You can check its progress with the ticket number and your phone."
            )
            % {"request": request.number, "number": ticket.number},
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
    note = text.clean(note, label=_("review note"), max_length=500)
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
            _("12345 hotline: your request joins ticket %(number)s") % {"number": into.number},
            _(
                "Your request (request number %(request)s) is about the same matter as ticket "
                "%(number)s and is handled with it; now: %(state)s."
            )
            % {
                "request": request.number,
                "number": into.number,
                "state": into.get_status_display(),
            },
            key=f"online:{request.pk}:merged",
        )
        _report_transfer(
            request,
            "accepted",
            number=into.number,
            result=_("Handled together with an existing ticket"),
        )
    return ticket


def online_request_decline(
    *, actor, request: OnlineRequest, reason: str, code: str = ""
) -> OnlineRequest:
    """Not accepted, with the reason the citizen is told (R-IN-4, ZS 14); `code` adds the
    guidance of one of the intake's reasons (emergency, other city, ...)."""
    require(actor, Capability.INTAKE)
    reason = text.clean(reason, label=_("reason for not accepting"), max_length=500, required=True)
    if code and code not in DeclineReason.values:
        raise DomainError(_("Unknown reason for not accepting"), code="invalid_reason")
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
            _("12345 hotline: request not accepted"),
            _("Your request (request number %(request)s) was not accepted. Reason: %(reason)s")
            % {"request": request.number, "reason": reason}
            + (f" {guidance}" if guidance else ""),
            key=f"online:{request.pk}:declined",
        )
        _report_transfer(request, "declined", result=reason)
    return request
