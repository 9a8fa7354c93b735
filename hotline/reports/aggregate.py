"""Facts and unit × day totals kept current from the event log (design rule 3).

`refresh_tickets(ids)` recomputes the facts of some tickets from their events and
assignments and rebuilds the unit × day totals of every day those facts touch (before
and after). The tick (`refresh_pending`) finds the tickets to refresh: those with
events newer than the last one it saw (by id, re-reading a trailing window so an event
committed late by a concurrent transaction is not missed) and those whose reply
deadline fell since its last pass. `recompute_year` rebuilds a whole year.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from hotline.core import clock
from hotline.core.bulk import bound_cursor
from hotline.reports import factsql
from hotline.reports import indicators as ind
from hotline.reports.models import Fact, RefreshState
from hotline.tickets.models import Assignment, Ticket, TicketEvent, UnitRequest

BATCH = 5000
BULK_MIN = 50_000  # changed tickets from which the fact table's indexes are rebuilt …
BULK_SHARE = 4  # … when they are at least a quarter of all tickets
DIMENSIONS = ("kind", "channel", "topic_id", "region_id")  # constants: column names
DAYS = "hl_refresh_days"  # temporary table of the days whose totals are rebuilt
TRAILING_EVENTS = 500  # re-read behind the watermark: late commits of concurrent writers


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
FACT_COLUMNS = (
    "ticket_id",
    "unit_id",
    "day",
    "metric",
    "n",
    "kind",
    "channel",
    "topic_id",
    "region_id",
)


def _moment(value: Any) -> datetime | None:
    """A raw cursor's timestamp as an aware datetime (SQLite gives naive UTC)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _data(value: Any) -> dict:
    if not value:
        return {}
    if isinstance(value, dict):
        return value
    return {} if value == "{}" else json.loads(value)


def _select(sql: str, ids: list[int], *more: Any) -> list[tuple]:
    """Rows of a raw query over `ids` (then `more` parameters): a year is a million
    tickets, and the ORM's per-value work was most of the recomputation (bench/reports.py)."""
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=marks), [*ids, *more])
        return cursor.fetchall()


def _exclusions(ids: list[int]) -> dict[int, set[int]]:
    """Approved exclusions (剔除, decision 0007): ticket → the units it no longer counts for."""
    excluded: dict[int, set[int]] = defaultdict(set)
    rows = _select(
        "SELECT a.ticket_id, a.unit_id FROM tickets_unitrequest r "
        "JOIN tickets_assignment a ON a.id = r.assignment_id "
        "WHERE a.ticket_id IN ({ids}) AND r.decision = %s AND r.kind = %s",
        ids,
        UnitRequest.Decision.APPROVED.value,
        UnitRequest.Kind.EXCLUSION.value,
    )
    for ticket_id, unit_id in rows:
        excluded[ticket_id].add(unit_id)
    return excluded


def load(ids: list[int]) -> Iterator[tuple[dict, ind.TicketData]]:
    """The tickets' rows as pure TicketData, with the dimensions kept beside."""
    tickets = _select(
        "SELECT id, received_at, intake_outcome, kind, channel, topic_id, region_id "
        "FROM tickets_ticket WHERE id IN ({ids})",
        ids,
    )
    events: dict[int, list[ind.Ev]] = defaultdict(list)
    kinds = ", ".join(f"'{k}'" for k in sorted(ind.READ_EVENTS))  # constants, no input
    for t, kind, at, unit_id, assignment_id, data in _select(
        "SELECT ticket_id, kind, at, unit_id, assignment_id, data FROM tickets_ticketevent "
        f"WHERE ticket_id IN ({{ids}}) AND kind IN ({kinds}) ORDER BY ticket_id, at, id",
        ids,
    ):
        events[t].append(ind.Ev(kind, _moment(at), unit_id, assignment_id, _data(data)))  # type: ignore[arg-type]
    assignments: dict[int, list[ind.As]] = defaultdict(list)
    for t, pk, unit_id, role, active, state, dispatched, reply, contact, first in _select(
        f"SELECT {', '.join(ASSIGNMENT_COLUMNS)} FROM tickets_assignment "
        "WHERE ticket_id IN ({ids}) ORDER BY ticket_id, dispatched_at, id",
        ids,
    ):
        assignments[t].append(
            ind.As(
                pk,
                unit_id,
                role,
                bool(active),
                state,
                _moment(dispatched),  # type: ignore[arg-type]
                _moment(reply),
                _moment(contact),
                _moment(first),
            )
        )
    excluded = _exclusions(ids)
    for pk, received, intake_outcome, kind, channel, topic_id, region_id in tickets:
        yield (
            {"kind": kind, "channel": channel, "topic_id": topic_id, "region_id": region_id},
            ind.TicketData(
                id=pk,
                received_at=_moment(received),  # type: ignore[arg-type]
                intake_outcome=intake_outcome,
                events=tuple(events[pk]),
                assignments=tuple(assignments[pk]),
                excluded_units=frozenset(excluded.get(pk, ())),
            ),
        )


def _list_tickets(ids: list[int]) -> None:
    """Fill the temporary table the set-based statements read (hotline.reports.factsql)."""
    with connection.cursor() as cursor:
        for table, column in ((factsql.IDS, "id BIGINT PRIMARY KEY"), (DAYS, "day DATE")):
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({column})")
            cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "postgresql":
        with bound_cursor() as cursor:
            cursor.execute(f"INSERT INTO {factsql.IDS} SELECT unnest(%b::bigint[])", [ids])
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {factsql.IDS}")
    else:
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {factsql.IDS} VALUES (%s)", [(i,) for i in ids])


def _note_days() -> None:
    """Remember the days the changed tickets' facts fall on (before and after)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DAYS} (day) SELECT DISTINCT f.day FROM reports_fact f "
            f"JOIN {factsql.CHANGED} r ON r.id = f.ticket_id"
        )


def _rebuild_days() -> None:
    """UnitDay and DayDimension rows of the noted days, summed again from the facts in
    one statement per table (one scan of the facts each)."""
    days = f"(SELECT DISTINCT day FROM {DAYS})"
    # constants: column names
    value = " ".join(f"WHEN '{c}' THEN CAST({c} AS VARCHAR(24))" for c in DIMENSIONS)
    dims = " UNION ALL ".join(f"SELECT '{c}' AS dimension" for c in DIMENSIONS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM reports_unitday WHERE day IN {days}")
        cursor.execute(
            "INSERT INTO reports_unitday (unit_id, day, metric, n) "
            "SELECT unit_id, day, metric, SUM(n) FROM reports_fact "
            f"WHERE day IN {days} GROUP BY unit_id, day, metric"
        )
        cursor.execute(f"DELETE FROM reports_daydimension WHERE day IN {days}")
        cursor.execute(
            "INSERT INTO reports_daydimension (day, dimension, value, n) "
            "SELECT f.day, d.dimension, COALESCE(CASE d.dimension "
            f"{value} END, ''), SUM(f.n) FROM reports_fact f CROSS JOIN ({dims}) d "
            f"WHERE f.metric = 'intake' AND f.day IN {days} "
            "GROUP BY f.day, d.dimension, 3"
        )


def refresh_tickets(ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Recompute the facts of these tickets and the totals of every day they touch, in
    one transaction of set-based statements (a year of a city: bench/reports.py).

    Every fact is computed again into a staging table, but only the tickets whose facts
    differ are written: rewriting millions of unchanged, indexed rows was most of a
    year's recomputation (decision 0030)."""
    now = now or clock.now()
    ids = sorted(set(ids))
    if not ids:
        return 0
    with transaction.atomic():
        _tune_session(len(ids))
        _list_tickets(ids)
        factsql.stage_facts(now)
        changed = factsql.mark_changed(every_listed=not _have_facts())
        if changed:
            _write_changed(changed)
    return len(ids)


def _tune_session(tickets: int) -> None:
    """Settings of this transaction for a big batch; nothing for the tick's few tickets."""
    if tickets <= BATCH:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The comparison groups millions of rows and the indexes are rebuilt over them:
            # in memory rather than in temporary files.
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        else:
            # SQLite's default page cache is 2 MB: the fact table's indexes at a year of a
            # big city are hundreds of MB, and each write would read its pages from disk.
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only


def _have_facts() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM reports_fact f JOIN {factsql.IDS} r ON r.id = f.ticket_id LIMIT 1"
        )
        return cursor.fetchone() is not None


def _write_changed(changed: int) -> None:
    """Replace the stored facts of the changed tickets by their staged ones and rebuild
    the totals of the days touched. When most of the table is replaced (a first
    computation, a rule that changes every ticket) the fact table's secondary indexes are
    dropped and built again once: cheaper than updating them row by row."""
    bulk = changed >= BULK_MIN and changed * BULK_SHARE >= Ticket.objects.count()
    _note_days()
    indexes = list(Fact._meta.indexes) if bulk else []
    with connection.cursor() as cursor:
        for index in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")
        cursor.execute(
            f"DELETE FROM reports_fact WHERE ticket_id IN (SELECT id FROM {factsql.CHANGED})"
        )
        cursor.execute(
            f"INSERT INTO reports_fact ({factsql.COLUMNS}, n) SELECT {factsql.COLUMNS}, 1 "
            f"FROM {factsql.NEW} WHERE ticket_id IN (SELECT id FROM {factsql.CHANGED})"
        )
        editor = connection.schema_editor()
        for index in indexes:
            cursor.execute(str(index.create_sql(Fact, editor)))
    _note_days()
    _rebuild_days()


def refresh_pending(*, limit: int = 20000) -> dict[str, int]:
    """The tick's job: bring facts up to date with new events and fallen deadlines."""
    now = clock.now()
    with transaction.atomic():
        state, _created = RefreshState.objects.select_for_update().get_or_create(name="facts")
        rows, unseen = _new_events(state, limit)
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
        state.unseen_event_ids = unseen
        state.last_due_check = now
        state.refreshed_at = now
        state.save()
    return {"tickets": len(ids)}


def _new_events(state: RefreshState, limit: int) -> tuple[list[tuple[int, int]], list[int]]:
    """(id, ticket id) of the events no pass has read yet, and the ids still unseen.

    Ids are taken when a writer inserts, visible when it commits: an event may appear
    below the watermark after a pass has moved it. Only those late ones are read again,
    the ids a pass found missing within TRAILING_EVENTS of the watermark, so a pass with
    nothing new refreshes nothing (it used to refresh every ticket of the last 500
    events, each pass). An id that never appears (a rolled-back write) is forgotten once
    it falls TRAILING_EVENTS behind."""
    last = state.last_event_id
    unseen = set(state.unseen_event_ids or [])
    since = min(unseen, default=last + 1) - 1
    read = list(
        TicketEvent.objects.filter(pk__gt=since)
        .order_by("pk")
        .values_list("pk", "ticket_id")[:limit]
    )
    rows = [(pk, t) for pk, t in read if pk > last or pk in unseen]
    top = max(last, read[-1][0]) if read else last
    present = {pk for pk, _t in read}
    floor = top - TRAILING_EVENTS
    # The first pass has no watermark: ids below the first event it reads are not late
    # writes but ids never used here (another database's sequence, rolled-back tests).
    start = max(last, floor) if last or not read else max(floor, read[0][0])
    still = {pk for pk in unseen if pk not in present}
    still |= {pk for pk in range(start + 1, top + 1) if pk not in present}
    return rows, sorted(pk for pk in still if pk > floor)


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
