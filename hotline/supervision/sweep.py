"""The tick's job: look at every assignment whose next check has come (R-SV-1, KJ 二(一)).

It sends the automatic reminders that have fallen due, sets the warning level and the next
moment to look again, and once the reply deadline has passed climbs the escalation ladder
(`escalation.climb`, R-SV-2, R-SV-3). `sweep()` claims due assignments in batches (one
transaction each; SKIP LOCKED on PostgreSQL, so ticks may run side by side) and writes
each batch in bulk; `check_assignment()` is the same check of one assignment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction

from hotline.accounts.models import User
from hotline.core import clock
from hotline.core.bulk import bound_cursor, insert_rows
from hotline.directory.models import Unit
from hotline.notifications.services import notify_many
from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import Pause
from hotline.sla.models import PolicyVersion
from hotline.sla.policies import Policy
from hotline.sla.selectors import work_calendar
from hotline.supervision.escalation import climb
from hotline.supervision.models import Reminder
from hotline.supervision.reminding import (
    WATCHED,
    Plan,
    decide,
    plan_for,
    reminder_body,
    reminder_messages,
    reminder_text,
    tell_unit,
)
from hotline.tickets import deadlines
from hotline.tickets.events import EventKind, record_rows
from hotline.tickets.models import Assignment, AssignmentPause, Ticket, WarningLevel


class Checked(NamedTuple):
    reminders: int
    escalations: int


def check_assignment(assignment: Assignment, *, calendar: WorkCalendar | None = None) -> Checked:
    """Send the reminders that have fallen due, climb the ladder once the deadline has
    passed, set the warning level and the next moment to look again. Runs inside the
    caller's transaction with the row locked. The sweep does this for a whole batch at
    once (`_check_batch`) and calls it only for overdue assignments (the ladder)."""
    ticket = assignment.ticket
    now = clock.now()
    plan = plan_for(assignment, now=now, calendar=calendar)
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
        tell_unit(
            assignment,
            reminder,
            reminder_text(assignment),
            digest=ticket.urgency != "urgent",
        )
        record_rows(
            [
                {
                    "ticket_id": ticket.pk,
                    "kind": EventKind.REMINDED,
                    "assignment_id": assignment.pk,
                    "unit_id": assignment.unit_id,
                    "data": {"auto": True, "lead": lead},
                }
            ]
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
    # SQLite: one writer at a time, the transaction is the lock; the states written in
    # (`literal_in`), or SQLite cannot prove the partial index applies.
    return list(
        Assignment.objects.filter(active=True, state__literal_in=WATCHED, next_check_at__lte=now)
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
    carried_until: datetime | None
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
    "carried_until",
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
        self.pauses: dict[int, list[Pause]] = {}
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
            AssignmentPause.objects.filter(assignment_id__in=ids)
            .order_by("start", "pk")
            .values_list("assignment_id", "start", "end", "reason")
        ):
            self.pauses.setdefault(assignment_id, []).append(Pause(start, end, reason))
        return rows

    def plan(self, a: _Due, now: datetime) -> Plan:
        """plan_for() of a row."""
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
            carried_until=a.carried_until,
        )
        return decide(result, policy, a.reply_due, now)

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
                User.objects.unit_staff(*missing).order_by("pk").values_list("pk", "unit_id")
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
            messages += reminder_messages(
                reminder_id=reminder,
                text=reminder_body(a.number, a.summary, a.reply_due),
                ticket_id=a.ticket_id,
                members=members[a.unit_id],
                phone=state.units[a.unit_id].liaison_phone,
                digest=a.urgency != "urgent",
            )
            events.append(
                {
                    "ticket_id": a.ticket_id,
                    "kind": EventKind.REMINDED,
                    "assignment_id": a.pk,
                    "unit_id": a.unit_id,
                    "data": {"auto": True, "lead": lead},
                }
            )
        notify_many(messages)
        record_rows(events)
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
