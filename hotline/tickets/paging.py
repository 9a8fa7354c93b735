"""The first rows of a ticket search in received order, read from the newest (or oldest)
end of the city's history instead of from every match (issue 16).

A common word (电梯) matches a few percent of all tickets: 26,000 of 1,000,000. Sorting
them all by date to show 50 costs what the city ever received. Every ticket newer than
some moment comes before every older one, so the search runs on a window of received
time at the list's end (the last hour before the newest ticket), then on a wider one,
each sized from the matches per hour seen so far, until the page is full: a page reads
about the rows it shows, however long the history. On PostgreSQL
words, units and window are one GIN index scan (tickets.search.PG_INDEX). SQLite walks
the received time once and stops at the page's last row. See
docs/decisions/0038-search-windows.md and 0052.

The count of a word search stops too (`capped_count`): at the list's cap, and for a user
who sees only some tickets (a unit) after a budget of word matches, so that a unit's
count reads as many rows at 1,000,000 tickets as at 100,000 (decision 0044). Where the
text index holds the received time (PostgreSQL), the count reads windows from the
newest end as well, so it reads about the matches it counts, not every match of the
word into one bitmap (decision 0051).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, QuerySet, Subquery

from hotline.tickets import search

FIRST_SPAN = timedelta(hours=1)
# How far a window reaches past the history's end: a ticket received while the page is
# read is inside it (six weeks: a few more time buckets to ask).
AHEAD = timedelta(hours=1024)
SLACK = 1.5  # a window aims at 1.5 times the rows still missing
# A window costs a statement and the candidates it holds; the whole history costs what
# the words match in all of it. When the planner's estimate (or, without one, the
# matches per hour seen so far) puts the whole history's matches under these, it is
# read at once: for a page's rows, which are all fetched and sorted, 8,000; for a count,
# which stops at its limit and only gathers the index's matches, 40,000 (decisions
# 0051, 0052).
WHOLE_ROWS = 8_000
WHOLE_COUNT = 40_000
# A ticket list (page and API) counts this many matches at most, then says "more than
# 1,000": counting a common word's 10,000 matches read as many rows as it counted.
LIST_CAP = 1_000
# The word matches a scoped count tests at most (a unit sees a few percent of them): at
# 100,000 tickets a common word (电梯) has 2,620, so a unit's count stays exact there.
BUDGET = 3_000


@dataclass(frozen=True)
class Count:
    """How many tickets a search matched, as far as it was counted: `n` exactly, or with
    `capped` at least `n` (the count stopped at the cap + 1 or at the budget)."""

    n: int
    capped: bool = False


def capped_count(
    matches: QuerySet, scope: Exists | bool, *, cap: int, budget: int, windows: bool = False
) -> Count:
    """The tickets of `matches` (a search before the user's scope) inside `scope` (the
    condition `sees_ticket` gives), counted up to `cap` + 1.

    A user who sees every ticket: one count that stops at cap + 1. A unit sees a few
    percent of a common word's matches, so reaching cap + 1 visible ones meant testing
    about twelve times as many matches (11,937 at 1,000,000 tickets, 0.7 s): here at
    most `budget` matches are tested, in one statement, and when they run out first the
    count is `n` visible "at least".

    With `windows`, the same count on windows of received time from the newest end, each
    wider than the last, until one holds more than `cap` (or exhausts the budget): the
    count of the last window is the count, and the widest window is the whole history."""
    if scope is False:
        return Count(0)
    if not windows:
        return _count(matches, scope, cap, budget)[0]

    def read(window: QuerySet) -> tuple[Count, int, bool]:
        counted, found = _count(window, scope, cap, budget)
        return counted, found, counted.capped

    return _windowed(matches, -1, cap + 1, WHOLE_COUNT, read)


def _count(matches: QuerySet, scope: Exists | bool, cap: int, budget: int) -> tuple[Count, int]:
    """capped_count on one set of matches, in one statement; and how many it saw.

    The candidates are tested as they come, and the statement stops at the cap + 1st
    visible one, or after the budget + 1st candidate, which marks that the budget ran
    out: a unit that sees most of its candidates tests about cap + 1 of them, not the
    whole budget."""
    if scope is True:
        n = matches.order_by().values("pk")[: cap + 1].count()
        return Count(n, capped=n > cap), n
    candidates = matches.order_by().annotate(seen=scope).values("seen")[: budget + 1]
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(CASE WHEN seen THEN 1 ELSE 0 END), 0), MAX(n) FROM"
            " (SELECT seen, n FROM (SELECT seen, ROW_NUMBER() OVER () AS n"
            f" FROM ({sql}) candidates) numbered WHERE seen OR n > {budget:d}"
            f" LIMIT {cap + 2:d}) found",
            params,
        )
        seen, last = cursor.fetchone()
    if seen > cap:
        return Count(cap + 1, capped=True), seen
    return Count(seen, capped=(last or 0) > budget), seen


def direction(tickets: QuerySet) -> int:
    """+1 when `tickets` is ordered by received time ascending, -1 descending, 0 else."""
    order = list(tickets.query.order_by)
    if order[:1] == ["-received_at"]:
        return -1
    if order[:1] == ["received_at"]:
        return 1
    return 0


def _next_span(
    span: timedelta, found: int, missing: int, ends: tuple, whole_at: int
) -> timedelta | None:
    """How far the next window reaches (None: the whole history, from `ends`, its newest
    and oldest received time). At the matches per hour seen so far: far enough for
    SLACK times the missing rows, at least twice and at most 16 times as far (8 times
    when nothing was found); the whole history when it would hold no more than
    `whole_at` matches at that rate, or when the window would reach it anyway. The rate
    is taken high, at found + 3 (3 is about as many as a window that found none may
    have missed by chance): a common word that found none in the first hour must not
    send a count through the whole history (decision 0051)."""
    history = abs(ends[0] - ends[1])
    if (found + 3) * (history / span) <= whole_at:
        return None
    if found == 0:
        reach = span * 8
    else:
        wanted = span * (SLACK * missing / found)
        reach = span + min(max(wanted, span), span * 15)
    return None if reach >= history else reach


def _ends(tickets: QuerySet, way: int) -> tuple | None:
    """The received time of the history's end the list starts from and of its other end
    (None when there is no ticket), whatever the user may see, in one statement of two
    index look-ups. They only place the windows; the rows still come through `tickets`."""
    manager = tickets.model._default_manager
    first, last = ("-received_at", "received_at") if way < 0 else ("received_at", "-received_at")
    other = manager.order_by(last).values("received_at")[:1]
    return manager.order_by(first).values_list("received_at", Subquery(other)).first()


def _window(tickets: QuerySet, way: int, edge, span: timedelta | None) -> QuerySet:
    """`tickets` received within `span` of the history's `edge` (None: all of them): the
    hours from there to `AHEAD` past the edge, as the text index's time buckets, which
    the index answers exactly, as it answers the words, so a row it gives is not tested
    again (PostgreSQL, decision 0052; SQLite reads no windows)."""
    if span is None:
        return tickets
    start, end = (edge - span, edge + AHEAD) if way < 0 else (edge - AHEAD, edge + span)
    return search.received_between(tickets, start, end)


def first_rows(tickets: QuerySet, stop: int, whole: QuerySet | None = None) -> list:
    """The first `stop` rows of `tickets` (ordered by received time first).

    On PostgreSQL, read from windows of received time that reach from the newest
    (descending) or oldest end of the history, each further than the last and sized
    from the matches per hour of the one before, so the last window holds about the
    rows the page needs. A wider window reads the narrower one's rows again; the spans
    grow at least twofold, so that is at most as many rows once more. On SQLite, one
    walk of the received time that stops at the page's last row.

    `whole`: the same search planned from its matches (search.matching without `walk`,
    exports.whole_rows), for reading the whole history at once when its candidates are
    few: SQLite then starts from them instead of walking."""
    way = direction(tickets)
    if way == 0 or stop <= 0:
        return list(tickets[: max(stop, 0)])

    def read(window: QuerySet) -> tuple[list, int, bool]:
        rows = list(window[:stop])
        return rows, len(rows), len(rows) >= stop

    if not search.time_in_index():
        # SQLite walks the received time and stops at the page's last row, so a window
        # would only walk the newest part again: the whole history at once, from its
        # matches where they are few (decision 0052).
        if whole is not None and (_expected(tickets, WHOLE_ROWS) or 0) <= WHOLE_ROWS:
            return read(whole)[0]
        return read(tickets)[0]
    # On PostgreSQL the whole history is every candidate fetched and sorted: a unit's
    # 2,200 took 25 ms, the windows that find its page a few (decision 0052).
    return _windowed(tickets, way, stop, WHOLE_ROWS, read, whole=whole)


def _windowed(
    tickets: QuerySet,
    way: int,
    wanted: int,
    whole_at: int,
    read: Callable,
    whole: QuerySet | None = None,
) -> Any:
    """What `read(window)` gives on the first window of `tickets` where it says it is
    enough (`read` returns the result, the rows it found and whether that is enough), or
    on the whole history. Where the text index gives no more than `whole_at` candidates
    (`_expected`), they are read at once, without windows, from `whole` if given. Where
    it expects more, a window's rate (`_next_span`) never sends the rest to the whole
    history: a common word's count that found none in its first hour must not gather
    all its matches (262,000) into one bitmap; a page's rows must not sort them."""
    expected = _expected(tickets, whole_at)
    ends = None if expected is not None and expected <= whole_at else _ends(tickets, way)
    if ends is None:
        return read(tickets if whole is None else whole)[0]
    span: timedelta | None = FIRST_SPAN
    while True:
        result, found, enough = read(_window(tickets, way, ends[0], span))
        if enough or span is None:
            return result
        jump_at = whole_at if expected is None else 0
        span = _next_span(span, found, wanted - found, ends, jump_at)


def _expected(tickets: QuerySet, limit: int) -> float | None:
    """How many candidates the text index gives `tickets` at most
    (search.fewest_candidates: each condition alone, the fewest). PostgreSQL's planner
    multiplies the conditions' frequencies as if they were independent; the words of one
    search are not, nor a unit and the words it handles: 电梯 and 小区 each match tens of
    thousands, their product said a few thousand, and a count read the whole history at
    once (decision 0052). Not the search's own rows either: those assume the `LIKE`
    re-check keeps a tenth of a percent. None for a search without words."""
    try:
        sql, params = tickets.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to ask
        return 0.0
    return search.fewest_candidates(sql, params, limit)
