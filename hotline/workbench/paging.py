"""Counts and pages that cost what a queue page shows, not what the city ever received
(issue 16). A tab says "999+" beyond CAP rows, and its pages stop at the cap: a deep
OFFSET and an exact count both read every row of the queue. See docs/decisions/0019.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property

CAP = 999  # a tab shows up to this many, then "999+"


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` + 1: "last page" is the cap's last page."""

    def __init__(self, object_list, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        # In the queue's order: the planner then walks the queue's own index and stops.
        return self.object_list.values("pk")[: self.cap + 1].count()

    @cached_property
    def more(self) -> bool:
        return self.count > self.cap


def capped_counts(querysets: Mapping[str, QuerySet], *, cap: int | None = None) -> dict[str, int]:
    """Each queryset's count, stopping at `cap` + 1, all in one statement: every count
    reads at most cap + 1 index entries of its queue (a tab with more shows "999+")."""
    cap = CAP if cap is None else cap
    parts: list[str] = []
    params: list = []
    keys: list[str] = []
    counts: dict[str, int] = {}
    for key, queryset in querysets.items():
        try:
            # Kept in the queue's order: unordered, PostgreSQL may pick a merge join over
            # the unit's whole history for "done" (74 ms at 1,000,000 tickets) instead of
            # walking the tab's index and stopping at the cap.
            sql, args = queryset.values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:
            counts[key] = 0
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped_{len(parts)})")
        params.extend(args)
        keys.append(key)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counts.update(zip(keys, cursor.fetchone(), strict=True))
    return {key: counts[key] for key in querysets}


def shown(count: int, cap: int | None = None) -> str:
    """How a capped count is written on a tab: "12", "999+"."""
    cap = CAP if cap is None else cap
    return f"{cap}+" if count > cap else str(count)
