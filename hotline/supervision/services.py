"""The sweeper's job and the supervisor's manual reminder (R-SV-1, KJ 二(一))."""

from __future__ import annotations

import logging
from datetime import datetime, time

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import UNIT_ROLES
from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict
from hotline.notifications.models import Channel
from hotline.notifications.services import notify
from hotline.supervision.models import Reminder
from hotline.tickets import deadlines
from hotline.tickets.models import Assignment, Ticket, TicketEvent, WarningLevel

log = logging.getLogger(__name__)
WATCHED = (Assignment.State.DISPATCHED, Assignment.State.HANDLING)


def _start_of(day, ticket: Ticket) -> datetime:
    """Reminders go out when the working day starts."""
    start = ticket.policy_version.as_policy().clock.day_start
    return timezone.make_aware(datetime.combine(day, start or time(8, 30)))


def _tell(assignment: Assignment, reminder: Reminder, text: str) -> None:
    unit = assignment.unit
    key = f"reminder:{reminder.pk}"
    for user in unit.members.filter(is_active=True, role__in=UNIT_ROLES):
        notify(
            channel=Channel.INBOX,
            recipient=user,
            subject="催办",
            body=text,
            ticket=assignment.ticket,
            key=f"{key}:{user.pk}",
        )
    if unit.liaison_phone:
        notify(
            channel=Channel.SMS,
            address=unit.liaison_phone,
            subject="催办",
            body=text,
            ticket=assignment.ticket,
            key=f"{key}:liaison",
        )


def check_assignment(assignment: Assignment) -> int:
    """Send the reminders that have fallen due, set the warning level and the next moment
    to look again. Runs inside the caller's transaction with the row locked."""
    ticket = assignment.ticket
    now = clock.now()
    result = deadlines.assignment_deadlines(ticket, assignment)
    due = assignment.reply_due
    sent = 0
    upcoming: list[datetime] = []
    for lead, day in zip(result.rule.reminder_leads, result.reminders, strict=True):
        moment = _start_of(day, ticket)
        if moment > now:
            upcoming.append(moment)
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    assignment=assignment, kind="auto", lead_days=int(lead), reply_due=due
                )
        except IntegrityError:
            continue  # sent before (a restarted or concurrent tick)
        text = (
            f"工单 {ticket.number}「{ticket.summary}」将于 "
            f"{timezone.localtime(due):%Y-%m-%d %H:%M} 到期，请抓紧办理并按时答复。"
        )
        _tell(assignment, reminder, text)
        TicketEvent.objects.create(
            ticket=ticket,
            kind="reminded",
            assignment=assignment,
            unit=assignment.unit,
            data={"auto": True, "lead": lead},
        )
        sent += 1
    if due and now >= due:
        assignment.warning = WarningLevel.RED
        assignment.next_check_at = None
    else:
        assignment.warning = (
            WarningLevel.YELLOW
            if any(_start_of(day, ticket) <= now for day in result.reminders)
            else WarningLevel.NORMAL
        )
        assignment.next_check_at = min([*upcoming, due]) if due else None
    assignment.save(update_fields=["warning", "next_check_at"])
    return sent


def _claim_next() -> Assignment | None:
    """One due assignment, locked; on PostgreSQL `SKIP LOCKED` lets ticks run side by side."""
    due = (
        Assignment.objects.filter(
            Q(active=True) & Q(state__in=WATCHED) & Q(next_check_at__lte=clock.now())
        )
        .select_related("ticket__policy_version", "unit")
        .order_by("next_check_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return due.first()


def sweep(*, limit: int = 500) -> dict[str, int]:
    """Look at due assignments one transaction each: a crash loses at most the one in
    hand, which the next pass repeats without sending anything twice."""
    counts = {"checked": 0, "reminders": 0}
    for _ in range(limit):
        with transaction.atomic():
            assignment = _claim_next()
            if assignment is None:
                break
            counts["reminders"] += check_assignment(assignment)
            counts["checked"] += 1
    return counts


def reminder_send(*, actor, assignment: Assignment, note: str = "") -> Reminder:
    """A supervisor reminds a unit by hand; recorded on the ticket and counted (R-SV-1)."""
    require(actor, Capability.SUPERVISE)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=assignment.ticket_id)
        assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
        if not assignment.active or assignment.state not in WATCHED:
            raise Conflict("该单位已不在办理此工单")
        reminder = Reminder.objects.create(
            assignment=assignment, kind="manual", by=actor, note=note
        )
        text = f"督办员催办：工单 {ticket.number}「{ticket.summary}」。{note}".strip()
        _tell(assignment, reminder, text)
        TicketEvent.objects.create(
            ticket=ticket,
            kind="reminded",
            actor=actor,
            assignment=assignment,
            unit=assignment.unit,
            data={"auto": False, "note": note},
        )
    return reminder
