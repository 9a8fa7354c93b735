"""The supervision writes people make through the pages and the API: a reminder sent by hand
(R-SV-1, KJ 二(一)), a supervision letter or efficiency recommendation issued by hand
outside the ladder's timetable (R-SV-2), and the records of on-site supervision and
coordination meetings (R-SV-4, R-SV-5).

What the tick does on its own lives elsewhere: reminders and warnings in `sweep`, the
escalation ladder in `escalation`, numbering and rendering documents in `documents`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from hotline.accounts.permissions import Capability, require
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.directory.models import Unit
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.sla.policies import Contact, Rung, RungMeasure, working_days
from hotline.supervision.documents import document_write
from hotline.supervision.escalation import MEASURE_EVENTS, users_for
from hotline.supervision.models import Document, Meeting, Reminder
from hotline.supervision.reminding import WATCHED, tell_unit
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import Assignment, Ticket


def reminder_send(*, actor, assignment: Assignment, note: str = "") -> Reminder:
    """A supervisor reminds a unit by hand; recorded on the ticket and counted (R-SV-1)."""
    require(actor, Capability.SUPERVISE)
    with transaction.atomic():
        ticket = lock_ticket(assignment.ticket_id)
        assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
        if not assignment.active or assignment.state not in WATCHED:
            raise Conflict(gettext("The unit is no longer handling this ticket."))
        reminder = Reminder.objects.create(
            assignment=assignment, kind="manual", by=actor, note=note
        )
        text = (
            gettext("Urged by a supervisor: ticket %(number)s “%(summary)s”. %(note)s")
            % {"number": ticket.number, "summary": ticket.summary, "note": note}
        ).strip()
        tell_unit(assignment, reminder, text)
        record(
            ticket,
            EventKind.REMINDED,
            actor=actor,
            assignment=assignment,
            unit=assignment.unit,
            auto=False,
            note=note,
        )
    return reminder


def document_issue(*, actor, assignment: Assignment, kind: str, note: str = "") -> Document:
    """A supervisor issues a supervision letter or an efficiency recommendation by hand
    (outside the ladder's timetable), numbered in the same series."""
    require(actor, Capability.SUPERVISE)
    if kind not in Document.Kind.values:
        raise DomainError(gettext("Unknown document kind."))
    with transaction.atomic():
        ticket = lock_ticket(assignment.ticket_id)
        assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
        if not assignment.active or assignment.state not in WATCHED:
            raise Conflict(gettext("The unit is no longer handling this ticket."))
        policy = ticket.policy_version.as_policy()
        measure = RungMeasure.LETTER if kind == Document.Kind.LETTER else RungMeasure.RECOMMENDATION
        rung = next(
            (r for r in policy.ladder if r.measure == measure),
            Rung(
                key=kind,
                label=str(Document.Kind(kind).label),
                measure=measure,
                wait=working_days(0),
            ),
        )
        document = document_write(
            kind=kind, rung=rung, assignment=assignment, ticket=ticket, escalation=None
        )
        if note:
            document.facts["note"] = note
            document.save(update_fields=["facts"])
        record(
            ticket,
            MEASURE_EVENTS[measure],
            actor=actor,
            assignment=assignment,
            unit=assignment.unit,
            document=document.number,
            label=rung.label,
            note=note,
            manual=True,
        )
        for user in users_for(Contact.UNIT_STAFF, assignment.unit):
            notify(
                channel=NotificationChannel.INBOX,
                recipient=user,
                subject=rung.label,
                body=f"{document.number} {ticket.number} {ticket.summary}",
                ticket=ticket,
                key=f"document:{document.pk}:{user.pk}",
            )
    return document


# --- on-site supervision and coordination meetings (R-SV-4, R-SV-5) -------------------

MEETING_EVENTS = {
    Meeting.Kind.ONSITE: EventKind.ONSITE_SUPERVISION,
    Meeting.Kind.COORDINATION: EventKind.COORDINATION_MEETING,
}


def meeting_record(
    *,
    actor,
    kind: str,
    held_at: datetime,
    place: str,
    subject: str,
    units: Iterable[Unit],
    tickets: Iterable[Ticket] = (),
    attendees: str,
    decisions: str,
    follow_up_due: date | None = None,
) -> Meeting:
    """Record an on-site supervision or a coordination meeting; one event on each ticket
    it concerns, and an in-app message with the decisions to the units involved."""
    require(actor, Capability.RECORD_MEETINGS)
    if kind not in Meeting.Kind.values:
        raise DomainError(gettext("Unknown meeting kind."))
    units, tickets = list(units), list(tickets)
    if not units:
        raise DomainError(gettext("Name at least one unit involved."))
    if not decisions.strip():
        raise DomainError(gettext("Record what was decided."))
    visible = set(
        Ticket.objects.visible_to(actor)
        .filter(pk__in=[t.pk for t in tickets])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({t.pk for t in tickets}):
        raise PermissionDenied(gettext("You may not see one of these tickets."))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            held_at=held_at,
            place=place,
            subject=subject,
            attendees=attendees,
            decisions=decisions,
            follow_up_due=follow_up_due,
            recorded_by=actor,
        )
        meeting.units.set(units)
        locked = list(Ticket.objects.select_for_update().filter(pk__in=visible).order_by("pk"))
        meeting.tickets.set(locked)
        label = str(Meeting.Kind(kind).label)
        for ticket in locked:
            record(
                ticket,
                MEETING_EVENTS[Meeting.Kind(kind)],
                actor=actor,
                meeting=meeting.pk,
                subject=subject,
                place=place,
                held_at=local_moment(held_at),
                note=decisions,
                follow_up_due=follow_up_due.isoformat() if follow_up_due else "",
            )
        for unit in units:
            for user in users_for(Contact.UNIT_STAFF, unit):
                notify(
                    channel=NotificationChannel.INBOX,
                    recipient=user,
                    subject=f"{label}：{subject}"[:200],
                    body=decisions,
                    key=f"meeting:{meeting.pk}:{user.pk}",
                )
    return meeting
