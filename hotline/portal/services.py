"""Every write of the citizen portal (design rule 1): SMS codes that prove a phone, a
submission from the web, and the citizen's own return visit online.

A submission ends in the channels' one intake service, `online_request_create` with
channel web (R-IN-1); an online rating ends in the tickets' `visit_record` with channel
web (R-FB-2)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.channels import text
from hotline.channels.models import OnlineRequest, ReplyChannel
from hotline.channels.services import channel_robot, online_request_create
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.models import audit
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.portal import selectors, throttle
from hotline.portal.models import PhoneCode
from hotline.tickets.models import Ticket, TicketChannel, Visit
from hotline.tickets.services import visit_record

CODE_TTL = timedelta(minutes=10)
CODE_TRIES = 5
CODES_PER_PHONE_HOUR = 5
CODES_PER_ADDRESS_HOUR = 20
VISIT_CHANNELS = (ReplyChannel.WEB, ReplyChannel.SMS)


def _code_hash(phone: str, code: str) -> str:
    return throttle.keyed("code", phone, code)


def phone_code_send(*, phone: object, address: str) -> None:
    """Send a six-digit code by SMS (through the notifications outbox). Limited per phone
    and per client address; the code is stored hashed and never written to a log."""
    phone = text.check_phone(phone, required=True)
    throttle.hit("code-address", address, limit=CODES_PER_ADDRESS_HOUR, seconds=3600)
    throttle.hit("code-phone", phone, limit=CODES_PER_PHONE_HOUR, seconds=3600)
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.now()
    with transaction.atomic():
        PhoneCode.objects.create(
            phone_hash=throttle.keyed("phone", phone),
            code_hash=_code_hash(phone, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        notify(
            channel=NotificationChannel.SMS,
            address=phone,
            subject=_("12345 hotline: your code"),
            body=_(
                "Your code is %(code)s, valid for 10 minutes. If you did not ask for it, "
                "ignore this message."
            )
            % {"code": code},
        )


def phone_code_check(*, phone: object, code: object) -> str:
    """The phone when `code` is its newest live code (each code once, few tries);
    DomainError otherwise, the same message whatever was wrong."""
    phone = text.check_phone(phone, required=True)
    code = text.clean(code, label=_("verification code"), max_length=6, required=True)
    wrong = DomainError(_("The code is wrong or has expired"), code="bad_code")
    now = clock.now()
    with transaction.atomic():
        current = (
            PhoneCode.objects.select_for_update()
            .filter(phone_hash=throttle.keyed("phone", phone), used_at__isnull=True)
            .filter(expires_at__gt=now)
            .first()
        )
        if current is None or current.attempts >= CODE_TRIES:
            raise wrong
        right = hmac.compare_digest(current.code_hash, _code_hash(phone, code))
        if right:
            current.used_at = now
        else:
            current.attempts += 1  # counted (and committed) before the refusal below
        current.save(update_fields=["used_at", "attempts"])
    if not right:
        raise wrong
    return phone


def portal_submit(
    *,
    phone: str,
    kind: str,
    subject: str,
    body: str,
    place: str = "",
    name: str = "",
    confidential: bool = False,
    reply_channel: str = ReplyChannel.SMS,
    files: Sequence[Any] = (),
) -> OnlineRequest:
    """A verified phone's request from the web: one online request (channel web) in the
    operators' queue; the citizen is told its number by SMS there (R-IN-1)."""
    if reply_channel not in (*VISIT_CHANNELS, ReplyChannel.PHONE):
        raise DomainError(_("Unknown way to hear back"), code="invalid_reply_channel")
    return online_request_create(
        channel=TicketChannel.WEB,
        subject=subject,
        body=body,
        place=place,
        kind=kind,
        name=name,
        phone=phone,
        confidential=confidential,
        reply_channel=reply_channel,
        files=files,
    )


def portal_rate(
    *,
    phone: str,
    ticket: Ticket,
    satisfaction: str,
    resolved: bool,
    note: str = "",
    unit_satisfaction: str = "",
    operator_satisfaction: str = "",
) -> Visit:
    """The citizen's own return visit online (the three scores of a phone visit: the
    result, the handling unit, the hotline's operator), once per round (a redo opens a new round),
    when they chose to be visited on the web or by SMS (R-FB-2)."""
    note = text.clean(note, label=_("comments"), max_length=500)
    if satisfaction not in Visit.Satisfaction.values:
        raise DomainError(_("Please choose how satisfied you are"), code="invalid")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not selectors.can_rate(phone=phone, ticket=locked):
            raise DomainError(_("This ticket cannot be rated online now"), code="not_ratable")
        visit = visit_record(
            actor=channel_robot(),
            ticket=locked,
            satisfaction=satisfaction,
            unit_satisfaction=unit_satisfaction,
            operator_satisfaction=operator_satisfaction,
            resolved=bool(resolved),
            channel=Visit.Channel.WEB,
            note=_("Rated online: %(note)s") % {"note": note} if note else _("Rated online"),
        )
        audit(kind="portal_rated", actor=None, object_type="ticket", object_id=locked.pk)
    return visit
