"""Two ticks over the same due work on PostgreSQL send each reminder exactly once."""

import pytest
from django.db import connection

from hotline.supervision import sweep as sweeper
from hotline.supervision.models import Reminder
from hotline.tickets.tests.conftest import *  # noqa: F403
from hotline.tickets.tests.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs SKIP LOCKED"),
]


def test_two_ticks_send_each_reminder_once(flow, at):
    at(2025, 11, 3, 9, 0)
    for _ in range(6):
        flow.to("handling", assists=())
    at(2025, 11, 10, 9, 0)
    outcomes = race(sweeper.sweep, sweeper.sweep)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(value["reminders"] for _, value in outcomes) == 6
    assert Reminder.objects.count() == 6


def test_ticks_in_small_batches_interleave_and_send_each_once(flow, at):
    """Small batches: each tick claims two rows at a time and skips the other's."""
    from hotline.notifications.models import Notification
    from hotline.tickets.models import TicketEvent

    at(2025, 11, 3, 9, 0)
    for _ in range(9):
        flow.to("handling", assists=())
    at(2025, 11, 10, 9, 0)
    outcomes = race(*[lambda: sweeper.sweep(batch=2)] * 3)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(value["reminders"] for _, value in outcomes) == 9
    assert sum(value["checked"] for _, value in outcomes) == 9
    assert Reminder.objects.count() == 9
    keys = list(
        Notification.objects.filter(key__startswith="reminder:").values_list("key", flat=True)
    )
    assert len(keys) == len(set(keys)) == 27
    assert TicketEvent.objects.filter(kind="reminded").count() == 9


def test_two_ticks_climb_each_rung_once(flow, at):
    from hotline.supervision.models import Document, Escalation

    at(2026, 9, 23, 10, 0)
    for _ in range(3):
        flow.to("handling", assists=(), kind="consult")
    for moment in [(2026, 9, 30, 8, 30), (2026, 10, 8, 8, 30)]:
        at(*moment)
        sweeper.sweep()
    at(2026, 10, 10, 8, 30)  # the letters: numbered under concurrency
    outcomes = race(sweeper.sweep, sweeper.sweep)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(value["escalations"] for _, value in outcomes) == 3
    assert Escalation.objects.filter(rung="letter").count() == 3
    numbers = sorted(Document.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2, 3]
