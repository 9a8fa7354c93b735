"""A recomputation computes every fact again but writes only the tickets whose facts
changed (decision 0030), and leaves the same facts and totals as computing everything
from nothing (R-AS-2): on the targeted path and on the path that rebuilds the fact
table's indexes."""

from collections import Counter

import pytest
from django.db import connection

from hotline.reports import aggregate
from hotline.reports.models import DayDimension, Fact, UnitDay
from hotline.supervision import services as sv
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db
ROW = ("ticket_id", "unit_id", "day", "metric", "n", "kind", "channel", "topic_id", "region_id")


def _stored():
    return (
        Counter(Fact.objects.values_list(*ROW)),
        Counter(UnitDay.objects.values_list("unit_id", "day", "metric", "n")),
        Counter(DayDimension.objects.values_list("day", "dimension", "value", "n")),
    )


def _from_scratch(ids):
    Fact.objects.all().delete()
    UnitDay.objects.all().delete()
    DayDimension.objects.all().delete()
    aggregate.refresh_tickets(ids)
    return _stored()


def _history(flow, people, at):
    at(2026, 3, 2, 9)
    done = flow.to("closed", lead="QX-ZJJ", assists=("QX-CD",))
    waiting = flow.to("handling", lead="QX-ZJJ", assists=())
    other = flow.to("dispatched", lead="QX-CGJ", assists=())
    return done, waiting, other


def _remind_twice(people, ticket):
    """Two reminders on one day: the same fact twice (a multiset, not a set)."""
    lead = ticket.assignments.get(role="lead")
    for note in ("请尽快办理", "再次催办"):
        sv.reminder_send(actor=people["supervisor1"], assignment=lead, note=note)


def test_R_AS_2_recomputation_rewrites_only_changed_tickets(flow, people, units, at):
    done, waiting, other = _history(flow, people, at)
    ids = list(Ticket.objects.values_list("pk", flat=True))
    at(2026, 3, 4, 10)  # the closed ticket's windows have all passed: its facts are final
    aggregate.refresh_tickets(ids)
    kept = set(Fact.objects.filter(ticket=done).values_list("pk", flat=True))
    before = set(Fact.objects.filter(ticket=waiting).values_list("pk", flat=True))
    at(2026, 3, 4, 11)
    _remind_twice(people, waiting)
    aggregate.refresh_tickets(ids)
    # The closed ticket's facts are the same: not rewritten (same row ids).
    assert set(Fact.objects.filter(ticket=done).values_list("pk", flat=True)) == kept
    assert Fact.objects.filter(ticket=waiting, metric="reminded").count() == 2
    assert not before & set(Fact.objects.filter(ticket=waiting).values_list("pk", flat=True))
    at(2026, 3, 4, 16)
    sv.reminder_send(actor=people["supervisor1"], assignment=waiting.assignments.get(role="lead"))
    at(2026, 4, 20, 10)  # the reply deadlines fall: due and overdue facts appear
    aggregate.refresh_tickets(ids)
    assert Fact.objects.filter(ticket=waiting, metric="reminded").count() == 3
    assert Fact.objects.filter(ticket=other, metric="overdue").exists()
    assert set(Fact.objects.filter(ticket=done).values_list("pk", flat=True)) == kept
    got = _stored()
    assert _from_scratch(ids) == got


def test_R_AS_2_recomputation_of_most_tickets_rebuilds_the_indexes(
    flow, people, units, at, monkeypatch
):
    _done, waiting, _other = _history(flow, people, at)
    ids = list(Ticket.objects.values_list("pk", flat=True))
    aggregate.refresh_tickets(ids)
    at(2026, 4, 20, 10)
    _remind_twice(people, waiting)
    monkeypatch.setattr(aggregate, "BULK_MIN", 1)
    monkeypatch.setattr(aggregate, "BULK_SHARE", len(ids))  # one changed ticket is "most"
    statements = []
    with connection.execute_wrapper(lambda run, sql, *a: statements.append(sql) or run(sql, *a)):
        aggregate.refresh_tickets(ids)
    assert any(s.startswith("DROP INDEX") for s in statements)
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, Fact._meta.db_table))
    assert {i.name for i in Fact._meta.indexes} <= names
    got = _stored()
    monkeypatch.setattr(aggregate, "BULK_MIN", 10**9)
    assert _from_scratch(ids) == got
