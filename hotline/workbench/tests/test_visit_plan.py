"""The visit call list walks its index on both databases (issue 16): ordered by
`visit_due ASC NULLS LAST`, SQLite (whose indexes put NULLs first) sorted every completed
ticket — 3 s at 1,000,000 tickets. "No deadline" is now a key of its own in the index
and in the order (`NO_VISIT_DUE`)."""

from datetime import timedelta

from django.db import connection

from hotline.tickets.models import Ticket
from hotline.workbench import queues


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables: without these the planner rightly prefers a scan and a
            # sort. With them, a plan that still sorts means the index cannot give the
            # order (enable_sort only adds cost to a sort it cannot avoid).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        # Tiny tables without statistics: SQLite then prefers the equality on the status
        # (`ticket_status_received`). INDEXED BY makes it take the visit index, and it
        # still sorts when that index cannot give the order (the old `NULLS LAST`).
        # With a big database's statistics it takes the index by itself (bench/README).
        # The status written in: INDEXED BY is checked before the value is bound.
        table, status = 'FROM "tickets_ticket"', '"tickets_ticket"."status" = %s'
        assert sql.count(table) == 1 and list(params) == ["completed"], (sql, params)
        sql = sql.replace(table, table + " INDEXED BY ticket_queue_visits")
        sql = sql.replace(status, '"tickets_ticket"."status" = \'completed\'')
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_visit_list_and_its_count_walk_the_visit_index_without_sorting(people, flow):
    flow.to("completed")
    queue = queues.visit_queue(people["visitor1"])
    for statement in (queue[:20], queue.values("pk")[:1000]):  # the page, the capped count
        plan = _plan(statement)
        assert "ticket_queue_visits" in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_visit_list_order_urgent_first_then_deadline_then_none(people, flow, at):
    at(2025, 11, 24, 9, 0)
    late, soon, none, urgent = (flow.to("completed") for _ in range(4))
    now = late.received_at
    Ticket.objects.filter(pk=late.pk).update(visit_due=now + timedelta(days=3))
    Ticket.objects.filter(pk=soon.pk).update(visit_due=now + timedelta(days=1))
    Ticket.objects.filter(pk=none.pk).update(visit_due=None)
    Ticket.objects.filter(pk=urgent.pk).update(urgency="urgent", visit_due=None)
    visitor = people["visitor1"]
    assert list(queues.visit_queue(visitor)) == [urgent, soon, late, none]
    assert list(queues.visit_queue(visitor, "-due")) == [urgent, late, soon, none]
