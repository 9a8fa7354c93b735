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
from hotline.notifications.services import bound_cursor, insert_rows, notify, notify_many
from hotline.sla import compute
from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import Pause as SlaPause
from hotline.sla.models import PolicyVersion
from hotline.sla.policies import Contact, Policy, Rung, RungAction
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
from hotline.tickets.models import (
    Assignment,
    Pause,
    Ticket,
    TicketEvent,
    UnitRequest,
    WarningLevel,
)

log = logging.getLogger(__name__)
WATCHED = (Assignment.State.DISPATCHED, Assignment.State.HANDLING)


class Checked(NamedTuple):
    reminders: int
    escalations: int


class Plan(NamedTuple):
    """What a look at one assignment that is not overdue decides: the reminder leads that
    have fallen due, the warning and the next moment to look again."""

    leads: list  # reminder leads (working days before due) whose moment has come
    warning: str
    next_check_at: datetime | None


def _decide(
    result: deadlines.ReplyDeadline, policy: Policy, due: datetime | None, now: datetime
) -> Plan:
    """The plan from the reminder days: reminders go out when the working day starts."""
    start = policy.clock.day_start or time(8, 30)
    leads, upcoming = [], []
    for lead, day in zip(result.rule.reminder_leads, result.reminders, strict=True):
        moment = timezone.make_aware(datetime.combine(day, start))
        if moment > now:
            upcoming.append(moment)
        else:
            leads.append(lead)
    warning = WarningLevel.YELLOW if leads else WarningLevel.NORMAL
    return Plan(leads, warning, min([*upcoming, due]) if due else None)


def _plan(assignment: Assignment, *, now: datetime, calendar: WorkCalendar | None = None) -> Plan:
    """The reminders due, the warning and the next check of an assignment."""
    ticket = assignment.ticket
    result = deadlines.reply_deadline_and_reminders(ticket, assignment, calendar)
    return _decide(result, ticket.policy_version.as_policy(), assignment.reply_due, now)


def _reminder_text(assignment: Assignment) -> str:
    ticket = assignment.ticket
    return _text(ticket.number, ticket.summary, assignment.reply_due)


def _text(number: str, summary: str, reply_due: datetime | None) -> str:
    return (
        f"工单 {number}「{summary}」将于 "
        f"{timezone.localtime(reply_due):%Y-%m-%d %H:%M} 到期，请抓紧办理并按时答复。"
    )


def _messages(
    assignment: Assignment, reminder_id: int, text: str, members: Iterable[User]
) -> list[dict[str, Any]]:
    """The messages of one reminder: every active member of the unit in the inbox, and
    the unit's liaison phone by SMS. The keys make each one once only."""
    key = f"reminder:{reminder_id}"
    messages: list[dict[str, Any]] = [
        {
            "channel": Channel.INBOX,
            "recipient": user,
            "subject": "催办",
            "body": text,
            "ticket": assignment.ticket,
            "key": f"{key}:{user.pk}",
        }
        for user in members
    ]
    if assignment.unit.liaison_phone:
        messages.append(
            {
                "channel": Channel.SMS,
                "address": assignment.unit.liaison_phone,
                "subject": "催办",
                "body": text,
                "ticket": assignment.ticket,
                "key": f"{key}:liaison",
            }
        )
    return messages


def _tell(assignment: Assignment, reminder: Reminder, text: str) -> None:
    members = assignment.unit.members.filter(is_active=True, role__in=UNIT_ROLES)
    for message in _messages(assignment, reminder.pk, text, members):
        notify(**message)


def check_assignment(assignment: Assignment, *, calendar: WorkCalendar | None = None) -> Checked:
    """Send the reminders that have fallen due, climb the ladder once the deadline has
    passed, set the warning level and the next moment to look again. Runs inside the
    caller's transaction with the row locked. The sweep does this for a whole batch at
    once (`_check_batch`) and calls it only for overdue assignments (the ladder)."""
    ticket = assignment.ticket
    now = clock.now()
    plan = _plan(assignment, now=now, calendar=calendar)
    due = assignment.reply_due
    sent = 0
    for lead in plan.leads:
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    assignment=assignment, kind="auto", lead_days=int(lead), reply_due=due
                )
        except IntegrityError:
            continue  # sent before (a restarted or concurrent tick)
        _tell(assignment, reminder, _reminder_text(assignment))
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
        assignment.warning, assignment.next_check_at = plan.warning, plan.next_check_at
    assignment.save(update_fields=["warning", "next_check_at"])
    return Checked(sent, climbed)


# --- the sweep: due assignments claimed and checked in batches -----------------------------

BATCH = 500  # assignments claimed, checked and committed together


def _claim(now: datetime, size: int) -> list[int]:
    """The ids of up to `size` due assignments, locked until the batch commits, earliest
    first.

    On PostgreSQL the rows are taken with `FOR NO KEY UPDATE … SKIP LOCKED`, so ticks
    running side by side each get different rows and never wait for one another; the
    tickets are taken `FOR KEY SHARE … SKIP LOCKED` in the same statement (what the
    batch's inserts referring to them take at commit anyway), so a service that holds a
    ticket and waits for its assignment cannot deadlock with the sweep: that assignment is
    left for the next pass. The indexes on next_check_at (`tickets_assignment_due`: of
    active, watched assignments only) make this a range scan that stops after `size` rows.
    """
    if connection.vendor == "postgresql":
        a, t = Assignment._meta.db_table, Ticket._meta.db_table
        # The partial index's own predicate, as literals, so the planner can use it.
        watched = "(" + ", ".join(f"'{state.value}'" for state in WATCHED) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT a.id FROM {a} a JOIN {t} t ON t.id = a.ticket_id
                WHERE a.active AND a.state IN {watched} AND a.next_check_at <= %s
                ORDER BY a.next_check_at LIMIT %s
                FOR NO KEY UPDATE OF a SKIP LOCKED FOR KEY SHARE OF t SKIP LOCKED
                """,
                [now, size],
            )
            return [row[0] for row in cursor.fetchall()]
    # SQLite: one writer at a time, the transaction is the lock.
    return list(
        Assignment.objects.filter(active=True, state__in=WATCHED, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:size]
    )


class _Due(NamedTuple):
    """A claimed assignment as checking its reminders reads it: the columns used of it
    and its ticket (the deadline, the text), read as a row, not as model instances. An
    overdue one is reloaded whole for the ladder."""

    pk: int
    ticket_id: int
    unit_id: int
    mode: str
    extra_days: int
    clock_start: datetime
    reply_due: datetime | None
    number: str
    summary: str
    kind: str
    urgency: str
    catalog_days: int | None
    instruction_days: int | None
    policy_version_id: int


DUE_COLUMNS = (
    "pk",
    "ticket_id",
    "unit_id",
    "mode",
    "extra_days",
    "clock_start",
    "reply_due",
    "ticket__number",
    "ticket__summary",
    "ticket__kind",
    "ticket__urgency",
    "ticket__catalog_days",
    "ticket__instruction_days",
    "ticket__policy_version_id",
)


class _Sweep:
    """What one sweep loads once and keeps across its batches: the calendar, the parsed
    policies of the versions met (immutable: each is parsed once), the units and the ids
    of their active members; the pauses of the batch in hand; and the counts."""

    def __init__(self) -> None:
        self.calendar: WorkCalendar | None = None
        self.versions: dict[int, PolicyVersion] = {}
        self.policies: dict[int, Policy] = {}
        self.units: dict[int, Unit] = {}
        self.members: dict[int, list[int]] = {}
        self.pauses: dict[int, list[SlaPause]] = {}
        self.counts = {"checked": 0, "reminders": 0, "escalations": 0}

    def load(self, ids: list[int]) -> list[_Due]:
        """The claimed assignments, earliest check first, with what checking them reads
        (units, policies, pauses) in a fixed number of queries."""
        if self.calendar is None:
            self.calendar = work_calendar()
        rows = [
            _Due(*row)
            for row in Assignment.objects.filter(pk__in=ids)
            .order_by("next_check_at", "pk")
            .values_list(*DUE_COLUMNS)
        ]
        units = {a.unit_id for a in rows} - set(self.units)
        if units:
            self.units.update(Unit.objects.in_bulk(units))
        versions = {a.policy_version_id for a in rows} - set(self.versions)
        if versions:
            self.versions.update(PolicyVersion.objects.in_bulk(versions))
            for pk in versions:
                self.policies[pk] = self.versions[pk].as_policy()
        # Pauses are rare: one query for the batch, in the order assignment.pauses gives.
        self.pauses = {}
        for assignment_id, start, end, reason in (
            Pause.objects.filter(assignment_id__in=ids)
            .order_by("start", "pk")
            .values_list("assignment_id", "start", "end", "reason")
        ):
            self.pauses.setdefault(assignment_id, []).append(SlaPause(start, end, reason))
        return rows

    def plan(self, a: _Due, now: datetime) -> Plan:
        """_plan() of a row."""
        assert self.calendar is not None
        policy = self.policies[a.policy_version_id]
        result = deadlines.reply_due_and_reminders(
            policy,
            self.calendar,
            kind=a.kind,
            mode=a.mode,
            urgency=a.urgency,
            catalog_days=a.catalog_days,
            instruction_days=a.instruction_days,
            extra_days=a.extra_days,
            clock_start=a.clock_start,
            pauses=self.pauses.get(a.pk, ()),
        )
        return _decide(result, policy, a.reply_due, now)

    def whole(self, pk: int) -> Assignment:
        """The assignment and its ticket with every column, for the ladder."""
        whole = Assignment.objects.select_related("ticket", "unit").get(pk=pk)
        whole.ticket.policy_version = self.versions[whole.ticket.policy_version_id]
        return whole

    def members_of(self, units: set[int]) -> dict[int, list[int]]:
        """The ids of the active staff of the units, who get a reminder in their inbox."""
        missing = units - set(self.members)
        if missing:
            for unit in missing:
                self.members[unit] = []
            for user_id, unit_id in (
                User.objects.filter(unit_id__in=missing, is_active=True, role__in=UNIT_ROLES)
                .order_by("pk")
                .values_list("pk", "unit_id")
            ):
                self.members[unit_id].append(user_id)
        return self.members


def _check_batch(rows: list[_Due], *, now: datetime, state: _Sweep) -> None:
    """check_assignment() for a whole claimed batch, with a fixed number of statements:
    the reminders already sent read once, reminders, messages and events inserted in bulk,
    the warnings and next checks written by one UPDATE. Overdue assignments (the
    escalation ladder: rare, with documents and numbered letters) go through
    check_assignment() one by one."""
    counts = state.counts
    sent = _sent_before(rows)
    pending: list[tuple[_Due, Any]] = []  # (assignment, lead) of the new reminders
    changed: list[tuple[int, str, datetime | None]] = []  # (id, warning, next check)
    for a in rows:
        counts["checked"] += 1
        if a.reply_due and now >= a.reply_due:
            done = check_assignment(state.whole(a.pk), calendar=state.calendar)
            counts["reminders"] += done.reminders
            counts["escalations"] += done.escalations
            continue
        plan = state.plan(a, now)
        for lead in plan.leads:
            key = (a.pk, int(lead), a.reply_due)
            if key in sent:
                continue  # sent before (a restarted tick, or a new deadline's check)
            sent.add(key)
            pending.append((a, lead))
        changed.append((a.pk, plan.warning, plan.next_check_at))
    created = _create_reminders(pending)
    if created:
        members = state.members_of({a.unit_id for a, _, _ in created})
        messages: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for a, lead, reminder in created:
            # What _messages() makes for check_assignment(), by id.
            text, prefix = _text(a.number, a.summary, a.reply_due), f"reminder:{reminder}"
            for user in members[a.unit_id]:
                messages.append(
                    {
                        "channel": Channel.INBOX,
                        "recipient_id": user,
                        "subject": "催办",
                        "body": text,
                        "ticket_id": a.ticket_id,
                        "key": f"{prefix}:{user}",
                    }
                )
            phone = state.units[a.unit_id].liaison_phone
            if phone:
                messages.append(
                    {
                        "channel": Channel.SMS,
                        "address": phone,
                        "subject": "催办",
                        "body": text,
                        "ticket_id": a.ticket_id,
                        "key": f"{prefix}:liaison",
                    }
                )
            events.append(
                {
                    "ticket_id": a.ticket_id,
                    "kind": "reminded",
                    "assignment_id": a.pk,
                    "unit_id": a.unit_id,
                    "data": {"auto": True, "lead": lead},
                }
            )
        notify_many(messages)
        insert_rows(TicketEvent, events)
        counts["reminders"] += len(created)
    _save_checks(changed)


def _sent_before(rows: list[_Due]) -> set[tuple]:
    """(assignment, lead, deadline) of the automatic reminders already sent; read under
    the batch's row locks, so no other tick can add one meanwhile."""
    return set(
        Reminder.objects.filter(kind="auto", assignment_id__in=[a.pk for a in rows]).values_list(
            "assignment_id", "lead_days", "reply_due"
        )
    )


def _create_reminders(pending: list[tuple[_Due, Any]]) -> list[tuple[_Due, Any, int]]:
    """Insert the new reminders in one statement; returns (assignment, lead, reminder id).
    The unique constraint stays the judge: should one exist after all (written by
    something that did not lock the assignment), they are inserted one by one and the
    ones already there are skipped, as check_assignment() does."""
    if not pending:
        return []
    rows = [
        {
            "assignment_id": a.pk,
            "kind": Reminder.Kind.AUTO,
            "lead_days": int(lead),
            "reply_due": a.reply_due,
        }
        for a, lead in pending
    ]
    try:
        with transaction.atomic():
            ids = insert_rows(Reminder, rows)
        return [(a, lead, pk) for (a, lead), pk in zip(pending, ids, strict=True)]
    except IntegrityError:
        pass
    created = []
    for (a, lead), row in zip(pending, rows, strict=True):
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(**row)
        except IntegrityError:
            continue
        created.append((a, lead, reminder.pk))
    return created


def _save_checks(rows: list[tuple[int, str, datetime | None]]) -> None:
    """Write the warnings and next checks of a batch, (id, warning, next check) each: one
    UPDATE … FROM unnest(…) on PostgreSQL, bulk_update elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = Assignment._meta.db_table
        with bound_cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} AS a SET warning = v.warning, next_check_at = v.next_check_at
                FROM unnest(%b::bigint[], %b::varchar[], %b::timestamptz[])
                    AS v(id, warning, next_check_at)
                WHERE a.id = v.id
                """,
                [[row[0] for row in rows], [str(row[1]) for row in rows], [row[2] for row in rows]],
            )
    else:
        Assignment.objects.bulk_update(
            [Assignment(pk=pk, warning=w, next_check_at=n) for pk, w, n in rows],
            ["warning", "next_check_at"],
            batch_size=BATCH,
        )


def sweep(*, limit: int = 10_000, batch: int = BATCH) -> dict[str, int]:
    """Check up to `limit` due assignments, claimed and committed `batch` at a time (one
    transaction each). A crash rolls back the batch in hand, which the next pass repeats:
    nothing is lost, and nothing is sent twice (the reminders already sent are read under
    the batch's row locks; the unique constraints on reminders, escalations and message
    keys decide in the end). Ticks may run side by side (SKIP LOCKED on PostgreSQL)."""
    state = _Sweep()
    while state.counts["checked"] < limit:
        with transaction.atomic():
            now = clock.now()
            ids = _claim(now, min(batch, limit - state.counts["checked"]))
            if not ids:
                break
            _check_batch(state.load(ids), now=now, state=state)
        if len(ids) < batch:
            break  # that was the last of the due work (re-claiming would find nothing)
    return state.counts


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
