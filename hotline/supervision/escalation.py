"""The escalation ladder's rungs (R-SV-2, R-SV-3): what happens once a reply deadline has
passed and the unit still has not answered.

`climb()` fires, once each, the rungs of the ticket's policy that have fallen due (leaders
urging, a supervision letter, an efficiency recommendation, public criticism), passing
over those that do not apply (an extension asked for, too few reminders). `_fire()` issues
the rung's numbered document (`documents`), tells its recipients in the hotline's language
and writes one event. The arithmetic of when a rung falls due and who is who is pure and
lives in `ladder`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from hotline.accounts.models import Role, User
from hotline.directory.models import Unit
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.sla import compute
from hotline.sla.policies import Contact, Rung, RungMeasure
from hotline.sla.selectors import work_calendar
from hotline.supervision import ladder as ladder_math
from hotline.supervision.documents import document_facts, document_write, has_extension
from hotline.supervision.models import Document, Escalation, Reminder
from hotline.tickets.events import EventKind, record_rows
from hotline.tickets.models import Assignment, Ticket

MEASURE_EVENTS = {
    RungMeasure.URGE: EventKind.URGED,
    RungMeasure.LETTER: EventKind.SUPERVISION_LETTER,
    RungMeasure.RECOMMENDATION: EventKind.EFFICIENCY_RECOMMENDATION,
    RungMeasure.CRITICISM: EventKind.PUBLICLY_CRITICISED,
}
DOCUMENT_KINDS = {
    RungMeasure.LETTER: Document.Kind.LETTER,
    RungMeasure.RECOMMENDATION: Document.Kind.RECOMMENDATION,
}


def reminded_count(assignment: Assignment) -> int:
    """How often the unit was pushed on this assignment: reminders (automatic and by hand)
    and leaders' urging. KM 17 / LX 四4 count them for public criticism."""
    return (
        Reminder.objects.filter(assignment=assignment).count()
        + Escalation.objects.filter(assignment=assignment, measure=RungMeasure.URGE).count()
    )


def _applies(rung: Rung, assignment: Assignment) -> bool:
    if rung.only_without_extension and has_extension(assignment):
        return False
    return not (rung.min_reminders and reminded_count(assignment) < rung.min_reminders)


def climb(assignment: Assignment, *, now: datetime) -> tuple[int, datetime | None]:
    """Climb the rungs that have fallen due for the current (passed) deadline; return how
    many were climbed and when the next one falls due (None: the ladder is done).

    Idempotent: a rung is an `Escalation` row unique per assignment, rung and deadline,
    created in a savepoint, so a restarted or concurrent tick that gets this far finds
    the row and climbs nothing twice.
    """
    ticket = assignment.ticket
    due = assignment.reply_due
    policy = ticket.policy_version.as_policy()
    if due is None or not policy.ladder:
        return 0, None
    calendar, rules = work_calendar(), compute.clock_rules(policy)
    reached = {e.rung: e for e in Escalation.objects.filter(assignment=assignment, reply_due=due)}
    start, previous = 0, None
    for index, rung in enumerate(policy.ladder):
        if rung.key in reached:
            start, previous = index + 1, reached[rung.key].at
    climbed = 0
    for index in range(start, len(policy.ladder)):
        rung = policy.ladder[index]
        anchor = ladder_math.anchor_of(rung, due=due, previous=previous)
        moment = ladder_math.rung_moment(calendar, rules, anchor, rung.wait)
        if moment > now:
            return climbed, moment
        if not _applies(rung, assignment):
            continue  # passed over: e.g. an extension was asked for (R-SV-3)
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    assignment=assignment,
                    ticket=ticket,
                    unit=assignment.unit,
                    rung=rung.key,
                    level=index + 1,
                    label=rung.label,
                    measure=rung.measure.value,
                    reply_due=due,
                    at=now,
                )
        except IntegrityError:
            previous = Escalation.objects.get(
                assignment=assignment, rung=rung.key, reply_due=due
            ).at
            continue
        _fire(escalation, rung, assignment, ticket)
        climbed += 1
        previous = escalation.at
    return climbed, None


def users_for(role: Contact, unit: Unit) -> Iterable[User]:
    if role == Contact.UNIT_STAFF:
        return User.objects.unit_staff(unit)
    if role == Contact.SUPERVISORS:
        return User.objects.filter(is_active=True, role=Role.SUPERVISOR)
    return ()


def _texts(
    rung: Rung, escalation: Escalation, facts: dict[str, Any], by, target, document
) -> tuple[str, str]:
    """(to the urging leader, to everyone else), in the hotline's language."""
    values = {
        **facts,
        "count": reminded_count(escalation.assignment),
        "by": by.name if by else "",
        "by_role": ladder_math.CONTACT_LABELS[by.role] if by else "",
        "target": target.name if target else "",
        "target_role": ladder_math.CONTACT_LABELS[target.role] if target else "",
        "phone": target.phone if target else "",
        "document": document.number if document else "",
        "issuer": document.issuer if document else "",
    }
    task = gettext(
        "Please urge %(target)s (%(target_role)s of %(unit)s, %(phone)s) about ticket "
        "%(number)s “%(summary)s”: it was due %(due)s and has not been answered."
    )
    if rung.measure == RungMeasure.URGE:
        text = gettext(
            "%(by)s (%(by_role)s) urges %(unit)s: ticket %(number)s “%(summary)s” was due "
            "%(due)s and is still not answered. Reply at once."
        )
    elif rung.measure == RungMeasure.LETTER:
        text = gettext(
            "Supervision letter %(document)s from %(issuer)s to %(unit)s: ticket %(number)s "
            "“%(summary)s” was due %(due)s and is still not answered."
        )
    elif rung.measure == RungMeasure.RECOMMENDATION:
        text = gettext(
            "Efficiency supervision recommendation %(document)s from %(issuer)s to %(unit)s: "
            "ticket %(number)s “%(summary)s” is overdue since %(due)s without an extension."
        )
    else:
        text = gettext(
            "%(unit)s is listed for public criticism: ticket %(number)s “%(summary)s”, due "
            "%(due)s, reminded %(count)s times and still not handled."
        )
    return task % values, text % values


def _fire(escalation: Escalation, rung: Rung, assignment: Assignment, ticket: Ticket) -> None:
    """Issue the rung's document, tell its recipients, write its one event."""
    unit, center = assignment.unit, ladder_math.hotline_unit()
    by = ladder_math.contact_person(rung.by, unit=unit, center=center) if rung.by else None
    # The urging leader calls the matching leader of the unit (deputy → deputy, head → head).
    target = None
    if rung.by is not None:
        counterpart = Contact(rung.by.value.replace("hotline_", "unit_"))
        target = ladder_math.contact_person(counterpart, unit=unit, center=center)
    document = None
    kind = DOCUMENT_KINDS.get(rung.measure)
    if kind is not None:
        document = document_write(
            kind=kind, rung=rung, assignment=assignment, ticket=ticket, escalation=escalation
        )
    facts = document_facts(ticket, assignment)
    with translation.override(settings.LANGUAGE_CODE):
        task, text = _texts(rung, escalation, facts, by, target, document)
    told: list[dict[str, Any]] = []
    key = f"escalation:{escalation.pk}"
    for role in rung.to:
        users = list(users_for(role, unit))
        for user in users:
            notify(
                channel=NotificationChannel.INBOX,
                recipient=user,
                subject=rung.label,
                body=text,
                ticket=ticket,
                key=f"{key}:{role.value}:{user.pk}",
            )
            told.append({"role": role.value, "user": user.pk, "name": user.get_full_name()})
        if users or role in (Contact.UNIT_STAFF, Contact.SUPERVISORS):
            continue
        person = ladder_math.contact_person(role, unit=unit, center=center)
        if person is None or not person.phone:
            told.append({"role": role.value, "missing": True})
            continue
        notify(
            channel=NotificationChannel.SMS,
            address=person.phone,
            subject=rung.label,
            body=task if role == rung.by and target else text,
            ticket=ticket,
            key=f"{key}:{role.value}",
        )
        told.append({"role": role.value, "name": person.name, "sms": person.phone})
    escalation.by_name = by.name if by else ""
    escalation.recipients = told
    escalation.save(update_fields=["by_name", "recipients"])
    record_rows(
        [
            {
                "ticket_id": ticket.pk,
                "kind": MEASURE_EVENTS[rung.measure],
                "assignment_id": assignment.pk,
                "unit_id": unit.pk,
                "data": {
                    "rung": rung.key,
                    "level": escalation.level,
                    "label": rung.label,
                    "by": escalation.by_name,
                    "document": document.number if document else "",
                    "note": text,
                },
            }
        ]
    )
