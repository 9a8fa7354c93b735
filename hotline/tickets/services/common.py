"""What the stage modules of the ticket services share: the row locks, the one event
writer, the state move and the version bump, the unit-membership check, and the messages
to the caller and the unit (issue 19 item 1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.accounts.models import User
from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict, PermissionDenied
from hotline.directory.models import Unit
from hotline.notifications.models import Channel as NotifyChannel
from hotline.notifications.services import notify
from hotline.tickets import deadlines, followup, states
from hotline.tickets.models import (
    Assignment,
    Ticket,
    TicketEvent,
    UnitRequest,
)
from hotline.tickets.states import Status

REVIEW_PAUSE = "热线审核"


def lock_ticket(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("policy_version__policy", "citizen")
        .get(pk=ticket.pk)
    )


def lock_assignment(assignment: Assignment) -> tuple[Ticket, Assignment]:
    ticket = lock_ticket(assignment.ticket)
    return ticket, Assignment.objects.select_related("unit").get(pk=assignment.pk)


def write_event(
    ticket: Ticket,
    kind: str,
    actor,
    *,
    assignment: Assignment | None = None,
    unit: Unit | None = None,
    **data: Any,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        assignment=assignment,
        unit=unit or (assignment.unit if assignment else None),
        data=data,
    )


def move(ticket: Ticket, action: str) -> None:
    ticket.status = states.check(action, ticket.status)
    if ticket.status == Status.COMPLETED:  # every way to completion: the visit's deadline
        ticket.visit_due = followup.visit_due(ticket, clock.now())
        ticket.visit_retry_at = None
    ticket.version += 1
    ticket.save()


def bump(ticket: Ticket) -> None:
    """A write to the ticket's parts that leaves its status alone still changes its version."""
    ticket.version += 1
    ticket.save(update_fields=["version"])


def require_member(user, assignment: Assignment) -> None:
    """The user works for the assignment's unit (R-UN-1)."""
    require(user, Capability.HANDLE)  # a unit's capability: the user has a unit
    if user.unit_id != assignment.unit_id:
        raise PermissionDenied("只有承办单位的工作人员可以办理本单位的工单")


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
    return [
        {
            "channel": NotifyChannel.SMS,
            "address": ticket.citizen.phone,
            "subject": "12345热线",
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
            "channel": NotifyChannel.INBOX,
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
            channel=NotifyChannel.INBOX,
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
        raise Conflict("工单没有在办的牵头单位")
    return lead


def pending_request(request: UnitRequest, kind: str) -> UnitRequest:
    locked = UnitRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_pending(kind):
        raise Conflict("该申请已处理")
    return locked
