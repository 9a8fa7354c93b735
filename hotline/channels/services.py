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
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.channels import text

# Settings and the robot account live in channels.config; still importable from here.
from hotline.channels.config import ROBOT, channel_configure, channel_robot  # noqa: F401
from hotline.channels.models import (
    OnlineAttachment,
    OnlineRequest,
    ReplyChannel,
)
from hotline.channels.notices import contact_notice

# The review lives in channels.review; still importable from here.
from hotline.channels.review import (  # noqa: F401
    online_request_accept,
    online_request_decline,
    online_request_merge,
)
from hotline.channels.selectors import channel_closed_message, channel_is_open
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.models import audit
from hotline.sla.compute import clock_rules, period_deadline
from hotline.sla.deadlines import DEFAULT_RULES
from hotline.sla.policies import Kind, Period, PeriodUnit
from hotline.sla.selectors import default_policy_version, work_calendar
from hotline.tickets import attachments as attachment_rules
from hotline.tickets.models import TicketChannel

ONLINE_CHANNELS = frozenset(TicketChannel.values) - {TicketChannel.PHONE}
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
    # The deadline's reads and arithmetic before the transaction: on SQLite it holds the
    # one write lock from its first statement (IMMEDIATE) to its commit.
    due = accept_due(received_at)
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
                accept_due=due,
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
            contact_notice(
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
