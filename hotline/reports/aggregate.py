"""Facts and unit × day totals kept current from the event log (design rule 3).

`refresh_tickets(ids)` recomputes the facts of some tickets from their events and
assignments and rebuilds the unit × day totals of every day those facts touch (before
and after). The tick (`refresh_pending`) finds the tickets to refresh: those with
events newer than the last one it saw (by id, re-reading a trailing window so an event
committed late by a concurrent transaction is not missed) and those whose reply
deadline fell since its last pass. `recompute_year` rebuilds a whole year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q

from hotline.core import clock
from hotline.core.bulk import insert_rows
from hotline.reports import indicators as ind
from hotline.reports.models import Fact, RefreshState, UnitDay
from hotline.tickets.models import Assignment, Ticket, TicketEvent, UnitRequest

BATCH = 2000
TRAILING_EVENTS = 500  # re-read behind the watermark: late commits of concurrent writers


def _exclusions(ids: list[int]) -> dict[int, set[int]]:
    """Approved exclusions (剔除, decision 0007): ticket → the units it no longer counts for."""
    excluded: dict[int, set[int]] = defaultdict(set)
    rows = UnitRequest.objects.filter(
        assignment__ticket_id__in=ids,
        decision=UnitRequest.Decision.APPROVED,
        kind=UnitRequest.Kind.EXCLUSION,
    ).values_list("assignment__ticket_id", "assignment__unit_id")
    for ticket_id, unit_id in rows:
        excluded[ticket_id].add(unit_id)
    return excluded


ASSIGNMENT_COLUMNS = (
    "ticket_id",
    "id",
    "unit_id",
    "role",
    "active",
    "state",
    "dispatched_at",
    "reply_due",
    "contact_due",
    "first_contact_at",
)


def load(ids: list[int]) -> Iterator[tuple[dict, ind.TicketData]]:
    """The tickets' rows as pure TicketData, with the dimensions kept beside."""
    tickets = {
        row["id"]: row
        for row in Ticket.objects.filter(pk__in=ids).values(
            "id", "received_at", "handling", "kind", "channel", "topic_id", "region_id"
        )
    }
    events: dict[int, list[ind.Ev]] = defaultdict(list)
    for t, kind, at, unit_id, assignment_id, data in (
        TicketEvent.objects.filter(ticket_id__in=ids)
        .order_by("at", "id")
        .values_list("ticket_id", "kind", "at", "unit_id", "assignment_id", "data")
    ):
        events[t].append(ind.Ev(kind, at, unit_id, assignment_id, data or {}))
    assignments: dict[int, list[ind.As]] = defaultdict(list)
    for t, *columns in (
        Assignment.objects.filter(ticket_id__in=ids)
        .order_by("dispatched_at", "id")
        .values_list(*ASSIGNMENT_COLUMNS)
    ):
        assignments[t].append(ind.As(*columns))
    excluded = _exclusions(ids)
    for pk, dims in tickets.items():
        yield (
            dict(dims),
            ind.TicketData(
                id=pk,
                received_at=dims["received_at"],
                handling=dims["handling"],
                events=tuple(events[pk]),
                assignments=tuple(assignments[pk]),
                excluded_units=frozenset(excluded.get(pk, ())),
            ),
        )


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _rebuild_days(days: Iterable[date]) -> None:
    """UnitDay rows of these days, summed again from the facts."""
    days = sorted(set(days))
    for chunk in (days[i : i + 200] for i in range(0, len(days), 200)):
        UnitDay.objects.filter(day__in=chunk).delete()
        rows = (
            Fact.objects.filter(day__in=chunk)
            .values("unit_id", "day", "metric")
            .annotate(total=Count("id"))
            .order_by()
        )
        insert_rows(
            UnitDay,
            [
                {"unit_id": r["unit_id"], "day": r["day"], "metric": r["metric"], "n": r["total"]}
                for r in rows
            ],
        )


def refresh_tickets(ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Recompute the facts of these tickets and the totals of every day they touch."""
    now = now or clock.now()
    ids = sorted(set(ids))
    touched: set[date] = set()
    for chunk in _chunks(ids, BATCH):
        with transaction.atomic():
            days = set(
                Fact.objects.filter(ticket_id__in=chunk).values_list("day", flat=True).distinct()
            )
            Fact.objects.filter(ticket_id__in=chunk).delete()
            rows = []
            for dims, data in load(chunk):
                for unit_id, day, metric in ind.ticket_facts(data, now):
                    days.add(day)
                    rows.append(
                        {
                            "ticket_id": data.id,
                            "unit_id": unit_id,
                            "day": day,
                            "metric": metric,
                            "n": 1,
                            "kind": dims["kind"],
                            "channel": dims["channel"],
                            "topic_id": dims["topic_id"],
                            "region_id": dims["region_id"],
                        }
                    )
            insert_rows(Fact, rows)
            touched |= days
    with transaction.atomic():
        _rebuild_days(touched)
    return len(ids)


def refresh_pending(*, limit: int = 20000) -> dict[str, int]:
    """The tick's job: bring facts up to date with new events and fallen deadlines."""
    now = clock.now()
    with transaction.atomic():
        state, _created = RefreshState.objects.select_for_update().get_or_create(name="facts")
        since = max(state.last_event_id - TRAILING_EVENTS, 0)
        rows = list(
            TicketEvent.objects.filter(pk__gt=since)
            .order_by("pk")
            .values_list("pk", "ticket_id")[:limit]
        )
        ids = {t for _pk, t in rows}
        last_check = state.last_due_check or now - timedelta(days=1)
        ids |= set(
            Assignment.objects.filter(
                Q(active=True, reply_due__gt=last_check, reply_due__lte=now)
            ).values_list("ticket_id", flat=True)
        )
        refresh_tickets(ids, now=now)
        if rows:
            state.last_event_id = max(state.last_event_id, rows[-1][0])
        state.last_due_check = now
        state.refreshed_at = now
        state.save()
    return {"tickets": len(ids)}


def recompute_year(year: int) -> int:
    """Rebuild the facts of every ticket received in `year` (and the days they touch)."""
    start = datetime(year, 1, 1, tzinfo=ind.LOCAL)
    end = datetime(year + 1, 1, 1, tzinfo=ind.LOCAL)
    ids = list(
        Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return refresh_tickets(ids)


def last_refreshed() -> datetime | None:
    state = RefreshState.objects.filter(name="facts").first()
    return state.refreshed_at if state else None
