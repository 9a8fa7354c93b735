"""The first rows of a ticket search in received order, read from the newest (or oldest)
end of the city's history instead of from every match (issue 16).

A common word (电梯) matches a few percent of all tickets: 26,000 of 1,000,000. Sorting
them all by date to show 50 costs what the city ever received. Every ticket newer than
some moment comes before every older one, so on PostgreSQL the search is cut into
windows of received time from the list's end, the first about as long as the index's
estimate says holds the page, each next reaching four times as far, and the windows are
read one after another in one statement until the page is full: a page reads about the
rows it shows, and makes as many statements, however long the history (decision 0053). Words,
units and window are one GIN index scan (tickets.search.PG_INDEX). SQLite walks the
received time once and stops at the page's last row. See
docs/decisions/0038-search-windows.md, 0052 and 0053.

The count of a word search stops too (`capped_count`): at the list's cap, and for a user
who sees only some tickets (a unit) after a budget of word matches, so that a unit's
count reads as many rows at 1,000,000 tickets as at 100,000 (decision 0044). Where the
text index holds the received time (PostgreSQL), the count reads the same windows
newest first, so it reads about the matches it counts, not every match of the word into
one bitmap (decision 0051).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Exists, QuerySet, Subquery

from hotline.core import fixed_reads
from hotline.core.fixed_reads import Slot, slot_places
from hotline.tickets import search

HOUR = timedelta(hours=1)
FIRST_SPAN = HOUR
# How far the first window reaches past the history's end: a ticket received while the
# page is read is inside it (six weeks: a few more time buckets to ask).
AHEAD = timedelta(hours=1024)
# Each window a page reads costs a GIN scan of the candidates it holds, and each window
# of the statement costs its planning (about 0.15 ms); the whole history at once costs
# what the words match in all of it. When the index's estimate puts the whole history's
# candidates under these, it is read at once (PostgreSQL): for a page's rows, which are
# all fetched and sorted, 1,000; for a count, which stops at its limit and only gathers
# the index's matches, 40,000 (decisions 0051, 0052, 0053).
WHOLE_ROWS = 1_000
WHOLE_COUNT = 40_000
# Each window reaches this many times as far back as the one before.
GROWTH = 4
# SQLite reads a page's rows from the matches, not by walking the received time, when
# they are no more than this: a rarer word's 2,300 candidates took 7 ms from the
# matches and 19 ms walking at 1,000,000 tickets (decision 0052).
FROM_MATCHES = 8_000
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

    With `windows`, the matches come from windows of received time, newest first, read
    one after another in the same statement until the count stops (`_windowed`): a
    common word's count does not gather all its matches (262,000) into one bitmap."""
    if scope is False:
        return Count(0)
    if not windows:
        return _count(matches, None, scope, cap, budget)
    return _windowed(
        matches, -1, cap + 1, WHOLE_COUNT, lambda found: _count(matches, found, scope, cap, budget)
    )


def _count(
    matches: QuerySet, windows: list[str] | None, scope: Exists | bool, cap: int, budget: int
) -> Count:
    """capped_count on `matches`, from `windows` in turn (None: at once), in one statement.

    The candidates are tested as they come, and the statement stops at the cap + 1st
    visible one, or after the budget + 1st candidate, which marks that the budget ran
    out: a unit that sees most of its candidates tests about cap + 1 of them, not the
    whole budget."""
    try:
        return _counted(matches, windows, scope, cap, budget)
    except EmptyResultSet:  # a condition no ticket can meet (an empty list of units)
        return Count(0)


def _counted(
    matches: QuerySet, windows: list[str] | None, scope: Exists | bool, cap: int, budget: int
) -> Count:
    if scope is True:
        keys = matches.order_by().values("pk")
        sql, params = _statement(keys, windows, cap + 1)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) found", params)
            n = cursor.fetchone()[0]
        return Count(n, capped=n > cap)
    tested = matches.order_by().annotate(seen=scope).values("seen")
    sql, params = _statement(tested, windows, budget + 1)
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
        return Count(cap + 1, capped=True)
    return Count(seen, capped=(last or 0) > budget)


def direction(tickets: QuerySet) -> int:
    """+1 when `tickets` is ordered by received time ascending, -1 descending, 0 else."""
    order = list(tickets.query.order_by)
    if order[:1] == ["-received_at"]:
        return -1
    if order[:1] == ["received_at"]:
        return 1
    return 0


def _first_span(expected: float | None, wanted: int, ends: tuple) -> timedelta:
    """How far back the first window reaches: as far as the history's candidates at an
    even rate (the index's estimate, an upper bound) would give the rows wanted; at
    least an hour. The windows after it each reach GROWTH times as far, so a rate
    overestimated n times costs about log4(n) more windows read, each small, and one
    too low at most the rows of the first window."""
    if not expected:
        return FIRST_SPAN
    history = abs(ends[0] - ends[1])
    return max(FIRST_SPAN, history * min(1.0, wanted / expected))


def _ends(tickets: QuerySet, way: int) -> tuple | None:
    """The received time of the history's end the list starts from and of its other end
    (None when there is no ticket), whatever the user may see, in one statement of two
    index look-ups (asked once within `one_look`). They only place the windows; the rows
    still come through `tickets`."""

    def ask() -> tuple | None:
        manager = tickets.model._default_manager
        oldest = manager.order_by("received_at").values("received_at")[:1]
        return manager.order_by("-received_at").values_list("received_at", Subquery(oldest)).first()

    ends = _once(("ends",), ask)
    return ends if ends is None or way < 0 else ends[::-1]


def _windows(way: int, ends: tuple, span: timedelta) -> list[str]:
    """Windows of received time, as the text index's bucket queries (search.buckets), in
    the list's order and without overlap: the first from `AHEAD` past the history's end
    the list starts from (ends[0]) to `span` before it, each next reaching GROWTH times as
    far back, the last reaching the other end (ends[1])."""
    edge, other = (search.hour(moment) for moment in ends)
    length = abs(edge - other)  # hours from the list's first ticket to its last
    low, high = -(AHEAD // HOUR), max(1, math.ceil(span / HOUR))
    windows = []
    while True:
        high = min(high, length)
        first, last = (edge - high, edge - low) if way < 0 else (edge + low, edge + high)
        windows.append(search.buckets(first, last))
        if high >= length:
            return windows
        low, high = high + 1, GROWTH * high


def _statement(tickets: QuerySet, windows: list[str] | None, limit: int) -> tuple[str, list]:
    """The SQL and parameters of `tickets`' first `limit` rows, from `windows` in turn
    (None: all of `tickets` at once); `_one_after_another`."""
    if windows is None:
        sql, params = tickets[:limit].query.sql_with_params()
        return sql, list(params)
    sql, params = search.in_buckets(tickets, Slot.STR)[:limit].query.sql_with_params()
    at = slot_places(params, {"window": Slot.STR}, "A search's window")["window"]
    return _one_after_another(sql, params, at, windows, limit)


def _one_after_another(sql: str, params, at: int, windows: list[str], limit: int) -> tuple:
    """`sql` (compiled once, with a stand-in for the window's query at `params[at]`) for
    each of `windows` in turn, at most `limit` rows, in one statement (UNION ALL). The
    database reads a later window only when the earlier ones gave fewer than `limit`
    rows, so an older, wider window costs nothing once the newer ones fill the page
    (decision 0053). Each window is limited too: a part with a LIMIT gets no parallel
    plan, in which workers would read the parts side by side, in no order."""
    every = [value for window in windows for value in (*params[:at], window, *params[at + 1 :])]
    if len(windows) == 1:
        return sql, every
    return " UNION ALL ".join([f"({sql})"] * len(windows)) + f" LIMIT {limit:d}", every


def first_rows(tickets: QuerySet, stop: int, whole: QuerySet | None = None) -> list:
    """The first `stop` rows of `tickets` (ordered by received time first).

    On PostgreSQL, in one statement, from windows of received time that reach from the
    newest (descending) or oldest end of the history, each reaching four times as far,
    read one after another until the page is full (`_windowed`). On SQLite, one walk of
    the received time that stops at the page's last row.

    `whole`: the same search planned from its matches (search.matching without `walk`),
    for reading the whole history at once when its candidates are few: SQLite then
    starts from them instead of walking. The estimate counts each term of the index,
    the unit's among them, so a unit's rare word starts from its few matches, and a
    unit's common word (the clerk's 2,200 at 1,000,000 tickets, where each candidate
    costs a test of its assignments) walks."""
    way = direction(tickets)
    if way == 0 or stop <= 0:
        return list(tickets[: max(stop, 0)])
    if not search.time_in_index():
        # SQLite walks the received time and stops at the page's last row, so a window
        # would only walk the newest part again: the whole history at once, from its
        # matches where they are few (decision 0052).
        if whole is not None and (_expected(tickets, FROM_MATCHES) or 0) <= FROM_MATCHES:
            return list(whole[:stop])
        return list(tickets[:stop])

    # On PostgreSQL the whole history is every candidate fetched and sorted: a unit's
    # 2,200 took 25 ms, the windows that find its page a few (decision 0052).
    def read(windows: list[str] | None) -> list:
        if windows is None:
            return list((tickets if whole is None else whole)[:stop])
        # Compiled once for every window, and the rows built as the ORM builds them.
        alias = tickets.db
        try:
            window = search.in_buckets(tickets, Slot.STR)[:stop]
            compiled = fixed_reads.plan(window, alias, window=Slot.STR)
        except EmptyResultSet:  # a condition no ticket can meet (an empty list of units)
            return []
        at = compiled.slots["window"]
        sql, params = _one_after_another(compiled.sql, compiled.params, at, windows, stop)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return compiled.build(tickets.model, alias, cursor.fetchall())

    return _windowed(tickets, way, stop, WHOLE_ROWS, read)


def _windowed(
    tickets: QuerySet, way: int, wanted: int, whole_at: int, read: Callable[[list | None], Any]
) -> Any:
    """What `read(windows)` gives for `tickets` read from windows of received time from
    the list's end (`_windows`), or for the whole history at once (None) where the text
    index gives no more than `whole_at` candidates (`_expected`): a page's rows or a
    count, in one statement either way, so a page makes as many statements at
    10,000,000 tickets as at 100,000 (decision 0053). The history's ends are asked
    either way, for the same reason."""
    expected = _expected(tickets, whole_at)
    ends = _ends(tickets, way)
    if ends is None or (expected is not None and expected <= whole_at):
        return read(None)
    return read(_windows(way, ends, _first_span(expected, wanted, ends)))


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
    # PostgreSQL's estimate is the same whatever the limit (SQLite's counts up to it), so
    # a page's count and its rows share it within `one_look`.
    limited = None if search.time_in_index() else limit
    key = ("expected", tuple(search.conditions(sql, params)), limited)
    return _once(key, lambda: search.fewest_candidates(sql, params, limit))


# What a request has asked the index and the table once (`one_look`).
_asked: ContextVar[dict | None] = ContextVar("hotline_paging_asked", default=None)


@contextmanager
def one_look() -> Iterator[None]:
    """Within it, a search's estimate (`_expected`) and the history's ends (`_ends`) are
    asked once: a word search's page asks both for its count and again for its rows, the
    same answers a few milliseconds apart (decision 0053)."""
    token = _asked.set({})
    try:
        yield
    finally:
        _asked.reset(token)


def _once(key: tuple, ask: Callable[[], Any]) -> Any:
    """`ask()`, or within `one_look` what it gave the first time for `key`."""
    asked = _asked.get()
    if asked is None:
        return ask()
    if key not in asked:
        asked[key] = ask()
    return asked[key]
