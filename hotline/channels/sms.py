"""SMS in (R-IN-1, R-FB-1, R-FB-2): the gateway posts each message a citizen sends to the
hotline's number. "查询 <工单号>" answers the progress by SMS; "1 / 2 / 3" after a
return-visit SMS records the visit; anything else becomes an online request.

Progress answers only go to the phone the ticket was made with, and the answer for an
unknown number and for a wrong phone is the same sentence (no enumeration)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from hotline.channels import progress, services, text
from hotline.channels.models import OnlineRequest, SmsVisit
from hotline.core import clock
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.tickets.models import Ticket, TicketChannel, Visit
from hotline.tickets.services import visit_record
from hotline.tickets.states import Status

QUERY = re.compile(r"^\s*(?:查询|查|CX)\s*[:：]?\s*([A-Za-z]?\d{6,20})\s*$", re.IGNORECASE)
VISIT = re.compile(r"^\s*([123])\s*(?:满意|基本满意|不满意)?\s*$")
SCORES = {
    "1": Visit.Satisfaction.SATISFIED,
    "2": Visit.Satisfaction.BASIC,
    "3": Visit.Satisfaction.UNSATISFIED,
}
NO_MATCH = _l(
    "Number and phone do not match. Check the ticket number and ask from the phone you "
    "gave with your request."
)
VISIT_QUESTION = _l(
    "Please reply with a digit to rate the result: 1 satisfied, 2 fairly satisfied, "
    "3 not satisfied."
)


def _reply(phone: str, body: str, *, message_id: str) -> None:
    notify(
        channel=NotificationChannel.SMS,
        address=phone,
        subject=_("12345 hotline"),
        body=body,
        key=f"sms-reply:{message_id}",
    )


def _progress(phone: str, number: str) -> str:
    ticket = (
        Ticket.objects.select_related("citizen").filter(number=number, citizen__phone=phone).first()
    )
    if ticket is not None:
        return progress.progress_text(ticket)
    request = OnlineRequest.objects.filter(number__iexact=number, phone=phone).first()
    if request is None:
        return str(NO_MATCH)
    if request.ticket is not None and request.state == OnlineRequest.State.ACCEPTED:
        return progress.progress_text(request.ticket)
    state = request.get_state_display()
    reason = (
        _("Reason: %(reason)s") % {"reason": request.decline_reason}
        if request.decline_reason
        else ""
    )
    return _("Request %(number)s (%(subject)s): %(state)s. %(reason)s") % {
        "number": request.number,
        "subject": request.subject[:30],
        "state": state,
        "reason": reason,
    }


def _visit(phone: str, digit: str, raw: str) -> str | None:
    """Record the visit for the newest unanswered visit SMS to this phone; None when
    there is none (then the digit is an ordinary message)."""
    invite = (
        SmsVisit.objects.select_for_update()
        .filter(phone=phone, answered_at__isnull=True, ticket__status=Status.COMPLETED)
        .select_related("ticket")
        .first()
    )
    if invite is None:
        return None
    satisfaction = SCORES[digit]
    visit_record(
        actor=services.channel_robot(),
        ticket=invite.ticket,
        satisfaction=satisfaction,
        resolved=satisfaction != Visit.Satisfaction.UNSATISFIED,
        channel=Visit.Channel.SMS,
        note=_("SMS reply: %(text)s") % {"text": raw},
    )
    invite.answered_at, invite.answer = clock.now(), raw
    invite.save(update_fields=["answered_at", "answer"])
    return _("Thank you for rating ticket %(number)s.") % {"number": invite.ticket.number}


def handle(*, message_id: str, phone: object, body: object) -> dict:
    """One inbound SMS, in one transaction; returns what was done for the gateway."""
    phone = text.check_phone(phone, required=True)
    body = text.clean(body, label=_("SMS text"), max_length=1000, required=True)
    with transaction.atomic():
        query = QUERY.match(body)
        if query:
            _reply(phone, _progress(phone, query.group(1)), message_id=message_id)
            return {"status": "answered"}
        visit = VISIT.match(body)
        if visit:
            thanks = _visit(phone, visit.group(1), body)
            if thanks:
                _reply(phone, thanks, message_id=message_id)
                return {"status": "visit_recorded"}
        request = services.online_request_create(
            channel=TicketChannel.SMS,
            external_id=message_id,
            subject="",
            body=body,
            phone=phone,
            reply_channel="sms",
        )
        return {"status": "stored", "number": request.number}


def invite_visit(*, ticket: Ticket, phone: str, key: str, lead: str = "") -> None:
    """Ask by SMS for the visit (the citizen chose SMS); their digit is recorded by handle()."""
    if SmsVisit.objects.filter(ticket=ticket, answered_at__isnull=True).exists():
        return
    SmsVisit.objects.create(ticket=ticket, phone=phone)
    notify(
        channel=NotificationChannel.SMS,
        address=phone,
        subject=_("12345 hotline visit"),
        body=f"{lead}{VISIT_QUESTION}",
        ticket=ticket,
        key=key,
    )
