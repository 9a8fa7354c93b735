"""The sweeper's job, the supervisor's manual reminder (R-SV-1, KJ 二(一)), the
escalation ladder (R-SV-2, R-SV-3), its numbered documents, and the records of on-site
supervision and coordination meetings (R-SV-4, R-SV-5)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from hotline.accounts.models import UNIT_ROLES, Role, User
from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.directory.models import Unit
from hotline.notifications.models import Channel
from hotline.notifications.services import notify
from hotline.sla import compute
from hotline.sla.policies import Contact, Rung, RungAction
from hotline.sla.selectors import work_calendar
from hotline.supervision import ladder as ladder_math
from hotline.supervision.models import (
    Document,
    DocumentCounter,
    Escalation,
    Meeting,
    Reminder,
)
from hotline.tickets import deadlines
from hotline.tickets.models import Assignment, Ticket, TicketEvent, UnitRequest, WarningLevel

log = logging.getLogger(__name__)
WATCHED = (Assignment.State.DISPATCHED, Assignment.State.HANDLING)


class Checked(NamedTuple):
    reminders: int
    escalations: int


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


def check_assignment(assignment: Assignment) -> Checked:
    """Send the reminders that have fallen due, climb the ladder once the deadline has
    passed, set the warning level and the next moment to look again. Runs inside the
    caller's transaction with the row locked."""
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
    climbed = 0
    if due and now >= due:
        assignment.warning = WarningLevel.RED
        climbed, assignment.next_check_at = climb(assignment, now=now)
    else:
        assignment.warning = (
            WarningLevel.YELLOW
            if any(_start_of(day, ticket) <= now for day in result.reminders)
            else WarningLevel.NORMAL
        )
        assignment.next_check_at = min([*upcoming, due]) if due else None
    assignment.save(update_fields=["warning", "next_check_at"])
    return Checked(sent, climbed)


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
    counts = {"checked": 0, "reminders": 0, "escalations": 0}
    for _ in range(limit):
        with transaction.atomic():
            assignment = _claim_next()
            if assignment is None:
                break
            done = check_assignment(assignment)
            counts["reminders"] += done.reminders
            counts["escalations"] += done.escalations
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


# --- the escalation ladder (R-SV-2, R-SV-3) -------------------------------------------

ACTION_EVENTS = {
    RungAction.URGE: "urged",
    RungAction.LETTER: "supervision_letter",
    RungAction.RECOMMENDATION: "efficiency_recommendation",
    RungAction.CRITICISM: "publicly_criticised",
}
DOCUMENT_KINDS = {
    RungAction.LETTER: Document.Kind.LETTER,
    RungAction.RECOMMENDATION: Document.Kind.RECOMMENDATION,
}
DEFAULT_WORDS: dict[str, str] = {"letter": "督", "recommendation": "效"}


def reminded_count(assignment: Assignment) -> int:
    """How often the unit was pushed on this assignment: reminders (automatic and by hand)
    and leaders' urging. KM 17 / LX 四4 count them for public criticism."""
    return (
        Reminder.objects.filter(assignment=assignment).count()
        + Escalation.objects.filter(assignment=assignment, action=RungAction.URGE).count()
    )


def has_extension(assignment: Assignment) -> bool:
    """Granted or asked for: "超过办理期限又未申请延期" (LX 四4) is the opposite."""
    return (
        assignment.extra_days > 0
        or UnitRequest.objects.filter(
            assignment=assignment,
            kind=UnitRequest.Kind.EXTENSION,
            decision__in=[UnitRequest.Decision.PENDING, UnitRequest.Decision.APPROVED],
        ).exists()
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
                    action=rung.action.value,
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


def _users_for(role: Contact, unit: Unit) -> Iterable[User]:
    if role == Contact.UNIT_STAFF:
        return unit.members.filter(is_active=True, role__in=UNIT_ROLES)
    if role == Contact.SUPERVISORS:
        return User.objects.filter(is_active=True, role=Role.SUPERVISOR)
    return ()


def _facts(ticket: Ticket, assignment: Assignment) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "summary": ticket.summary,
        "unit": assignment.unit.name,
        "due": ladder_math.local(assignment.reply_due),
        "received": ladder_math.local(ticket.received_at),
        "dispatched": ladder_math.local(assignment.dispatched_at),
    }


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
    if rung.action == RungAction.URGE:
        text = gettext(
            "%(by)s (%(by_role)s) urges %(unit)s: ticket %(number)s “%(summary)s” was due "
            "%(due)s and is still not answered. Reply at once."
        )
    elif rung.action == RungAction.LETTER:
        text = gettext(
            "Supervision letter %(document)s from %(issuer)s to %(unit)s: ticket %(number)s "
            "“%(summary)s” was due %(due)s and is still not answered."
        )
    elif rung.action == RungAction.RECOMMENDATION:
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
    kind = DOCUMENT_KINDS.get(rung.action)
    if kind is not None:
        document = _document_issue(
            kind=kind, rung=rung, assignment=assignment, ticket=ticket, escalation=escalation
        )
    facts = _facts(ticket, assignment)
    with translation.override(settings.LANGUAGE_CODE):
        task, text = _texts(rung, escalation, facts, by, target, document)
    told: list[dict[str, Any]] = []
    key = f"escalation:{escalation.pk}"
    for role in rung.to:
        users = list(_users_for(role, unit))
        for user in users:
            notify(
                channel=Channel.INBOX,
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
            channel=Channel.SMS,
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
    TicketEvent.objects.create(
        ticket=ticket,
        kind=ACTION_EVENTS[rung.action],
        assignment=assignment,
        unit=unit,
        data={
            "rung": rung.key,
            "level": escalation.level,
            "label": rung.label,
            "by": escalation.by_name,
            "document": document.number if document else "",
            "note": text,
        },
    )


# --- numbered documents ------------------------------------------------------------------


def _next_sequence(prefix: str, year: int) -> int:
    """The next number of a per-year series, under a row lock (as ticket numbers)."""
    try:
        with transaction.atomic():
            DocumentCounter.objects.create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # another transaction made this year's counter first
    counter = DocumentCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _document_issue(
    *,
    kind: str,
    rung: Rung,
    assignment: Assignment,
    ticket: Ticket,
    escalation: Escalation | None,
) -> Document:
    issued_at = clock.now()
    year = timezone.localtime(issued_at).year
    prefix = ladder_math.document_prefix(rung.number_word or DEFAULT_WORDS[kind])
    sequence = _next_sequence(prefix, year)
    history = [
        {"at": ladder_math.local(r.at), "what": r.get_kind_display(), "note": r.note}
        for r in Reminder.objects.filter(assignment=assignment).order_by("at", "id")
    ]
    rungs = Escalation.objects.filter(assignment=assignment)
    if assignment.reply_due is not None:
        rungs = rungs.filter(reply_due=assignment.reply_due)
    if escalation is not None:
        rungs = rungs.exclude(pk=escalation.pk)
    history += [
        {"at": ladder_math.local(e.at), "what": e.label, "note": e.by_name}
        for e in rungs.order_by("at", "id")
    ]
    facts = {
        **_facts(ticket, assignment),
        "kind_label": rung.label,
        "detail": ticket.detail,
        "city": ladder_math.city_name(),
        "history": history,
        "citation": rung.citation,
        "extension": has_extension(assignment),
        "issued": timezone.localtime(issued_at).strftime("%Y-%m-%d"),
    }
    return Document.objects.create(
        kind=kind,
        number=f"{prefix}〔{year}〕{sequence}号",
        year=year,
        sequence=sequence,
        ticket=ticket,
        assignment=assignment,
        unit=assignment.unit,
        escalation=escalation,
        issuer=ladder_math.issuer_name(rung.issuer),
        issued_at=issued_at,
        facts=facts,
    )


MAX_RENDER_ATTEMPTS = 5
RENDER_CLAIM_TIMEOUT = timedelta(minutes=10)


def document_render(document: Document) -> Document:
    """Render and store the PDF once; a rendered document never changes."""
    from hotline.supervision import pdf

    if document.file:
        return document
    content = pdf.document_pdf(document)
    name = f"{document.kind}-{document.year}-{document.sequence:04d}.pdf"
    document.file.save(name, ContentFile(content), save=False)
    document.rendered_at = clock.now()
    document.render_claimed_at = None
    document.render_error = ""
    document.save(update_fields=["file", "rendered_at", "render_claimed_at", "render_error"])
    return document


def render_pending(*, limit: int = 20) -> dict[str, int]:
    """The tick's job: render documents issued but not yet stored, each claimed with a
    conditional UPDATE so two ticks never render the same one."""
    counts = {"rendered": 0, "failed": 0}
    now = clock.now()
    due = (
        Document.objects.filter(rendered_at__isnull=True, render_attempts__lt=MAX_RENDER_ATTEMPTS)
        .filter(
            Q(render_claimed_at__isnull=True) | Q(render_claimed_at__lt=now - RENDER_CLAIM_TIMEOUT)
        )
        .order_by("issued_at", "id")
        .values_list("pk", "render_claimed_at")[:limit]
    )
    for pk, claimed_at in list(due):
        won = Document.objects.filter(pk=pk, render_claimed_at=claimed_at).update(
            render_claimed_at=now
        )
        if not won:
            continue
        document = Document.objects.get(pk=pk)
        try:
            document_render(document)
        except Exception as exc:  # a broken font or template must not stop the tick
            log.exception("document %s not rendered", document.number)
            Document.objects.filter(pk=pk).update(
                render_attempts=document.render_attempts + 1,
                render_error=str(exc)[:1000],
                render_claimed_at=None,
            )
            counts["failed"] += 1
        else:
            counts["rendered"] += 1
    return counts


def document_issue(*, actor, assignment: Assignment, kind: str, note: str = "") -> Document:
    """A supervisor issues a supervision letter or an efficiency recommendation by hand
    (outside the ladder's timetable), numbered in the same series."""
    require(actor, Capability.SUPERVISE)
    if kind not in Document.Kind.values:
        raise DomainError(gettext("Unknown document kind."))
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=assignment.ticket_id)
        assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
        if not assignment.active or assignment.state not in WATCHED:
            raise Conflict(gettext("The unit is no longer handling this ticket."))
        policy = ticket.policy_version.as_policy()
        action = RungAction.LETTER if kind == Document.Kind.LETTER else RungAction.RECOMMENDATION
        rung = next(
            (r for r in policy.ladder if r.action == action),
            Rung(key=kind, label=str(Document.Kind(kind).label), action=action, wait=_zero()),
        )
        document = _document_issue(
            kind=kind, rung=rung, assignment=assignment, ticket=ticket, escalation=None
        )
        if note:
            document.facts["note"] = note
            document.save(update_fields=["facts"])
        TicketEvent.objects.create(
            ticket=ticket,
            kind=ACTION_EVENTS[action],
            actor=actor,
            assignment=assignment,
            unit=assignment.unit,
            data={"document": document.number, "label": rung.label, "note": note, "manual": True},
        )
        for user in _users_for(Contact.UNIT_STAFF, assignment.unit):
            notify(
                channel=Channel.INBOX,
                recipient=user,
                subject=rung.label,
                body=f"{document.number} {ticket.number} {ticket.summary}",
                ticket=ticket,
                key=f"document:{document.pk}:{user.pk}",
            )
    return document


def _zero():
    from hotline.sla.policies import working_days

    return working_days(0)


# --- on-site supervision and coordination meetings (R-SV-4, R-SV-5) -------------------

MEETING_EVENTS = {
    Meeting.Kind.ONSITE: "onsite_supervision",
    Meeting.Kind.COORDINATION: "coordination_meeting",
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
            TicketEvent.objects.create(
                ticket=ticket,
                kind=MEETING_EVENTS[Meeting.Kind(kind)],
                actor=actor,
                data={
                    "meeting": meeting.pk,
                    "subject": subject,
                    "place": place,
                    "held_at": ladder_math.local(held_at),
                    "note": decisions,
                    "follow_up_due": follow_up_due.isoformat() if follow_up_due else "",
                },
            )
        for unit in units:
            for user in _users_for(Contact.UNIT_STAFF, unit):
                notify(
                    channel=Channel.INBOX,
                    recipient=user,
                    subject=f"{label}：{subject}"[:200],
                    body=decisions,
                    key=f"meeting:{meeting.pk}:{user.pk}",
                )
    return meeting
