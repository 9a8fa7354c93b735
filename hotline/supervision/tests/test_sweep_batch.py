"""The sweep checks due assignments in claimed batches (issue 7). It must write exactly
what checking them one by one (check_assignment, one transaction each, as the sweep
used to) writes: the same reminders, messages, events, warnings and next checks. Runs
on SQLite and on PostgreSQL (DATABASE_URL)."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hotline.notifications.models import Notification
from hotline.supervision import sweep as sweeper
from hotline.supervision.models import Escalation, Reminder
from hotline.tickets.models import Assignment, TicketEvent, WarningLevel
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures


class Rollback(Exception):
    pass


def one_by_one() -> dict[str, int]:
    """The sweep as it was: claim one due assignment, check it, commit; repeat."""
    counts = {"checked": 0, "reminders": 0, "escalations": 0}
    while True:
        with transaction.atomic():
            due = (
                Assignment.objects.filter(
                    active=True, state__in=sweeper.WATCHED, next_check_at__lte=sweeper.clock.now()
                )
                .select_related("ticket__policy_version", "unit")
                .order_by("next_check_at", "id")
                .select_for_update()
                .first()
            )
            if due is None:
                return counts
            done = sweeper.check_assignment(due)
            counts["checked"] += 1
            counts["reminders"] += done.reminders
            counts["escalations"] += done.escalations


def written(since: dict[str, int]) -> dict:
    """What the sweep wrote, with the keys' row ids replaced by what they stand for."""
    reminders = {
        r.pk: (r.assignment_id, r.kind, r.lead_days, r.reply_due, r.at)
        for r in Reminder.objects.filter(pk__gt=since["reminder"])
    }
    escalations = {
        e.pk: (e.assignment_id, e.rung, e.level, e.measure, e.by_name, e.at, str(e.recipients))
        for e in Escalation.objects.filter(pk__gt=since["escalation"])
    }

    def key(value: str) -> tuple:
        kind, pk, rest = value.split(":", 2)
        named = {"reminder": reminders, "escalation": escalations}[kind][int(pk)]
        return (kind, named[:3], rest)

    notes = Notification.objects.filter(pk__gt=since["notification"])
    events = TicketEvent.objects.filter(pk__gt=since["event"])
    return {
        "reminders": sorted(reminders.values()),
        "escalations": sorted(escalations.values()),
        "notifications": sorted(
            (
                n.channel,
                n.recipient_id or 0,
                n.address,
                n.subject,
                n.body,
                n.ticket_id,
                key(n.key),
                n.state,
                n.sent_at,
                n.next_attempt_at,
                n.created_at,
            )
            for n in notes
        ),
        "events": sorted(
            (e.ticket_id, e.kind, e.assignment_id, e.unit_id, json.dumps(e.data), e.at)
            for e in events
        ),
        "assignments": {
            a.pk: (a.warning, a.next_check_at) for a in Assignment.objects.order_by("pk")
        },
    }


def high_water() -> dict[str, int]:
    def top(model) -> int:
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    return {
        "reminder": top(Reminder),
        "escalation": top(Escalation),
        "notification": top(Notification),
        "event": top(TicketEvent),
    }


def outcome(run) -> tuple[dict, dict]:
    """Run a sweep in a savepoint, note what it wrote and its counts, roll it back."""
    since = high_water()
    result: dict = {}
    try:
        with transaction.atomic():
            result["counts"] = run()
            result["written"] = written(since)
            raise Rollback
    except Rollback:
        pass
    return result["counts"], result["written"]


def test_a_batch_sends_what_one_by_one_sends(flow, people, units, at):
    at(2025, 11, 3, 9, 0)
    # Reminder due on 11-10 for the lead and the assisting unit (no liaison phone).
    units["QX-CD"].liaison_phone = ""
    units["QX-CD"].save(update_fields=["liaison_phone"])
    both = flow.to("handling", assists=("QX-CD",))
    unsigned = flow.to("dispatched", lead="QX-CGJ", assists=())
    # Already reminded for this deadline, looked at again (e.g. after a change).
    reminded = flow.to("handling", assists=())
    overdue = flow.to("handling", assists=(), kind="consult")  # due 11-06: the ladder
    at(2025, 11, 10, 8, 45)
    fresh = flow.to("handling", assists=())  # just dispatched: nothing to send yet
    at(2025, 11, 10, 9, 0)
    lead = flow.lead(reminded)
    assert sweeper.check_assignment(lead).reminders == 1
    Assignment.objects.filter(pk=lead.pk).update(next_check_at=sweeper.clock.now())
    due = Assignment.objects.filter(next_check_at__lte=sweeper.clock.now(), active=True)
    assert due.count() == 6

    expected_counts, expected = outcome(one_by_one)
    with mock_check() as check:
        counts, got = outcome(lambda: sweeper.sweep(batch=2))
    assert counts == expected_counts
    assert counts["checked"] == 6 and counts["reminders"] == 4
    assert counts["escalations"] >= 1
    assert got == expected
    # Only the overdue assignment went through check_assignment (the ladder).
    assert [a.ticket_id for a in check.checked] == [overdue.pk]
    # The states the sweep left behind, for the record.
    after = got["assignments"]
    assert after[flow.lead(both).pk][0] == WarningLevel.YELLOW
    assert after[flow.lead(unsigned).pk][0] == WarningLevel.YELLOW
    assert after[lead.pk] == (WarningLevel.YELLOW, lead.reply_due)
    assert after[flow.lead(overdue).pk][0] == WarningLevel.RED
    assert after[flow.lead(fresh).pk][0] == WarningLevel.NORMAL
    assert len([n for n in got["notifications"] if n[6][0] == "reminder"]) == (
        3 + 2 + 3 + 3  # both: lead (2 staff + SMS), assist (2 staff); unsigned; overdue
    )


class mock_check:
    """Record which assignments the sweep hands to check_assignment."""

    def __enter__(self):
        from unittest import mock

        self.checked: list = []
        real = sweeper.check_assignment

        def spy(assignment, **kw):
            self.checked.append(assignment)
            return real(assignment, **kw)

        self.patch = mock.patch.object(sweeper, "check_assignment", spy)
        self.patch.start()
        return self

    def __exit__(self, *exc):
        self.patch.stop()


def test_statements_per_batch_do_not_grow_with_its_size(flow, at):
    at(2025, 11, 3, 9, 0)
    for _ in range(2):
        flow.to("handling", assists=())
    at(2025, 11, 4, 9, 0)
    for _ in range(6):
        flow.to("handling", assists=())
    assert sweeper.sweep()["checked"] == 8  # first look: next checks set, nothing due yet
    statements = []
    for day in (10, 11):
        at(2025, 11, day, 9, 0)
        with CaptureQueriesContext(connection) as queries:
            counts = sweeper.sweep()
        statements.append(len(queries))
        assert counts["checked"] == counts["reminders"] == (2 if day == 10 else 6)
    assert statements[0] == statements[1], statements


def test_the_unique_constraint_decides_if_a_sent_reminder_was_missed(flow, at):
    """Should the batch not see a reminder already there, the insert hits the unique
    constraint; the batch then inserts one by one and sends only the missing ones."""
    from unittest import mock

    at(2025, 11, 3, 9, 0)
    tickets = [flow.to("handling", assists=()) for _ in range(3)]
    at(2025, 11, 10, 9, 0)
    first = flow.lead(tickets[0])
    assert sweeper.check_assignment(first).reminders == 1
    Assignment.objects.filter(pk=first.pk).update(next_check_at=sweeper.clock.now())
    with mock.patch.object(sweeper, "_sent_before", lambda rows: set()):
        assert sweeper.sweep() == {"checked": 3, "reminders": 2, "escalations": 0}
    assert Reminder.objects.count() == 3
    keys = list(
        Notification.objects.filter(key__startswith="reminder:").values_list("key", flat=True)
    )
    assert len(keys) == len(set(keys)) == 9
    assert TicketEvent.objects.filter(kind="reminded").count() == 3


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_limit_and_batch(flow, at, batch):
    at(2025, 11, 3, 9, 0)
    for _ in range(5):
        flow.to("handling", assists=())
    at(2025, 11, 10, 9, 0)
    assert sweeper.sweep(limit=3, batch=batch)["checked"] == 3
    assert sweeper.sweep(limit=3, batch=batch)["checked"] == 2
    assert sweeper.sweep(limit=3, batch=batch)["checked"] == 0
    assert Reminder.objects.count() == 5
