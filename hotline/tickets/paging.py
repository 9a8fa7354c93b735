"""The first rows of a ticket search in received order, read from the newest (or oldest)
end of the city's history instead of from every match (issue 16).

A common word (电梯) matches a few percent of all tickets: 26,000 of 1,000,000. Sorting
them all by date to show 50 costs what the city ever received. Every ticket newer than
some moment comes before every older one, so the search runs on a window of received
time at the list's end (the last hour before the newest ticket), then on a wider one,
each sized from the matches per hour seen so far, until the page is full: a page reads
about the rows it shows, however long the history. On PostgreSQL
words and window are one GIN index scan (tickets.search.PG_DATED_INDEX). See
docs/decisions/0038-search-windows.md.

The count of a word search stops too (`capped_count`): at the list's cap, and for a user
who sees only some tickets (a unit) after a budget of word matches, so that a unit's
count reads as many rows at 1,000,000 tickets as at 100,000 (decision 0044).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, QuerySet

FIRST_SPAN = timedelta(hours=1)
LAST_SPAN = timedelta(days=3 * 366)  # beyond it, the rest of the history in one step
SLACK = 1.5  # a window aims at 1.5 times the rows still missing
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


def capped_count(matches: QuerySet, scope: Exists | bool, *, cap: int, budget: int) -> Count:
    """The tickets of `matches` (a search before the user's scope) inside `scope` (the
    condition `sees_ticket` gives), counted up to `cap` + 1.

    A user who sees every ticket: one count that stops at cap + 1. A unit sees a few
    percent of a common word's matches, so reaching cap + 1 visible ones meant testing
    about twelve times as many matches (11,937 at 1,000,000 tickets, 0.7 s): here at
    most `budget` matches are tested, in one statement, and when they run out first the
    count is `n` visible "at least"."""
    if scope is False:
        return Count(0)
    if scope is True:
        n = matches.order_by().values("pk")[: cap + 1].count()
        return Count(n, capped=n > cap)
    candidates = matches.order_by().annotate(seen=scope).values("seen")[: budget + 1]
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN seen THEN 1 ELSE 0 END), 0)"
            f" FROM ({sql}) candidates",
            params,
        )
        tested, seen = cursor.fetchone()
    if seen > cap:
        return Count(cap + 1, capped=True)
    return Count(seen, capped=tested > budget)


def direction(tickets: QuerySet) -> int:
    """+1 when `tickets` is ordered by received time ascending, -1 descending, 0 else."""
    order = list(tickets.query.order_by)
    if order[:1] == ["-received_at"]:
        return -1
    if order[:1] == ["received_at"]:
        return 1
    return 0


def _next_span(span: timedelta, found: int, missing: int) -> timedelta:
    """How far the next window reaches: at the matches per hour seen so far, far enough
    for SLACK times the missing rows; at least twice, at most 16 times as far."""
    if found == 0:
        return span * 8
    wanted = span * (SLACK * missing / found)
    return span + min(max(wanted, span), span * 15)


def first_rows(tickets: QuerySet, stop: int) -> list:
    """The first `stop` rows of `tickets` (ordered by received time first), read from
    windows of received time that reach from the newest (descending) or oldest end of
    the history, each further than the last and sized from the matches per hour of
    the one before, so the last window holds about the rows the page needs.

    Each window is one open-ended condition (`received_at >= bound`): in the GIN index
    (btree_gin) a closed range would be two conditions, and `received_at < x` alone
    covers the whole older history. A wider window reads the narrower one's rows again;
    the spans grow at least twofold, so that is at most as many rows once more."""
    way = direction(tickets)
    if way == 0 or stop <= 0:
        return list(tickets[: max(stop, 0)])
    # Where the history ends, whatever the user may see: one row of the received_at index.
    # It only places the windows; the rows still come through `tickets`.
    edge = (
        tickets.model._default_manager.order_by("-received_at" if way < 0 else "received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    if edge is None:
        return []
    span = FIRST_SPAN
    while span <= LAST_SPAN:
        if way < 0:
            window = tickets.filter(received_at__gte=edge - span)
        else:
            window = tickets.filter(received_at__lte=edge + span)
        rows = list(window[:stop])
        if len(rows) >= stop:
            return rows
        span = _next_span(span, len(rows), stop - len(rows))
    return list(tickets[:stop])
