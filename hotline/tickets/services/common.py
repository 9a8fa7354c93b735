"""What the stage modules of the ticket services share: the assignment's row lock, the
state move, the unit-membership check, and the messages
to the caller and the unit (issue 19 item 1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.models import User
from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict, PermissionDenied
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.tickets import deadlines, followup, part_states, states
from hotline.tickets.events import lock_ticket
from hotline.tickets.models import Assignment, Ticket, UnitRequest
from hotline.tickets.states import Status

# Pause reasons are stored with the pause and read in its deadline's explanation: written
# in the site's language (`site_language`).
REVIEW_PAUSE = gettext_lazy("Hotline review")
SEND_BACK_PAUSE = gettext_lazy("Send-back under review")


def lock_assignment(assignment: Assignment) -> tuple[Ticket, Assignment]:
    ticket = lock_ticket(assignment.ticket)
    return ticket, Assignment.objects.select_related("unit").get(pk=assignment.pk)


STATUS_FIELDS = ("status", "visit_due", "visit_retry_at")


def move(ticket: Ticket, action: str) -> list[str]:
    """Set the status the state machine allows (on completion, the visit's deadline too);
    the ticket's columns it changed, for `events.record` to save with the version."""
    ticket.status = states.check(action, ticket.status)
    if ticket.status == Status.COMPLETED:  # every way to completion: the visit's deadline
        ticket.visit_due = followup.visit_due(ticket, clock.now())
        ticket.visit_retry_at = None
        return list(STATUS_FIELDS)
    return ["status"]


def require_member(user, assignment: Assignment) -> None:
    """The user works for the assignment's unit (R-UN-1)."""
    require(user, Capability.HANDLE)  # a unit's capability: the user has a unit
    if user.unit_id != assignment.unit_id:
        raise PermissionDenied(_("Only the staff of the handling unit may handle its tickets"))


def site_language():
    """Texts stored or sent (an SMS, an inbox message, an event's data) are written in the
    site's language, whoever's request writes them; errors follow the reader's."""
    return translation.override(settings.LANGUAGE_CODE)


def tell_citizen(ticket: Ticket, text: str, *, key: str) -> None:
    """An SMS to the caller, queued in this transaction (sent by the tick after commit).
    For a confidential ticket too: it is the hotline that writes (LX 四3)."""
    for message in citizen_message(ticket, text, key=key):
        notify(**message)


def citizen_message(ticket: Ticket, text: str, *, key: str) -> list[dict[str, Any]]:
    """tell_citizen's message, for a service queuing several at once: none for a citizen
    who wrote by mail or WeChat only (channels.progress answers them there)."""
    if not ticket.citizen.phone:
        return []
    with site_language():
        subject = _("12345 Hotline")
    return [
        {
            "channel": NotificationChannel.SMS,
            "address": ticket.citizen.phone,
            "subject": subject,
            "body": text,
            "ticket": ticket,
            "key": f"{key}:citizen",
        }
    ]


def unit_messages(
    ticket: Ticket, assignment: Assignment, subject: str, text: str
) -> list[dict[str, Any]]:
    """tell_unit's messages for notify_many."""
    return [
        {
            "channel": NotificationChannel.INBOX,
            "recipient_id": user_id,
            "subject": subject,
            "body": text,
            "ticket": ticket,
            "key": f"{subject}:{assignment.pk}:{user_id}",
        }
        for user_id in User.objects.unit_staff(assignment.unit_id).values_list("pk", flat=True)
    ]


def tell_unit(ticket: Ticket, assignment: Assignment, subject: str, text: str) -> None:
    """In-app messages to everyone of the unit who handles tickets."""
    for user in User.objects.unit_staff(assignment.unit_id):
        notify(
            channel=NotificationChannel.INBOX,
            recipient=user,
            subject=subject,
            body=text,
            ticket=ticket,
            key=f"{subject}:{assignment.pk}:{user.pk}",
        )


def close_pauses(assignment: Assignment, at: datetime) -> None:
    assignment.pauses.filter(end__isnull=True).update(end=at)


def refresh_deadlines(ticket: Ticket, assignment: Assignment) -> None:
    deadlines.refresh(ticket, assignment)
    assignment.save()


def active_of(ticket: Ticket):
    return ticket.assignments.filter(active=True).select_related("unit")


def lead_of(ticket: Ticket) -> Assignment:
    lead = active_of(ticket).filter(role=Assignment.Role.LEAD).first()
    if lead is None:
        raise Conflict(_("The ticket has no lead unit at work on it"))
    return lead


def pending_request(request: UnitRequest, kind: str, *, approve: bool) -> UnitRequest:
    """The request locked, still pending and of this kind, for the decision (decision 0022)."""
    locked = UnitRequest.objects.select_for_update().get(pk=request.pk)
    if locked.kind != kind:
        raise Conflict(str(part_states.HANDLED))
    part_states.check_request("approve" if approve else "refuse", locked)
    return locked
