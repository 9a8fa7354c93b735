"""Queue pages that cost what they show (issue 16): tab counts stop at a cap and say
"999+", pages stop there too, and each assignment carries its ticket's urgency so the
inbox orders urgent first through an index (R-HM-4)."""

from hotline.tickets.models import Assignment, Ticket, UnitRequest
from hotline.workbench import paging, queues


def test_capped_counts_stop_at_the_cap_in_one_statement(flow, django_assert_num_queries):
    for _ in range(3):
        flow.to("pending_dispatch")
    pending = Ticket.objects.filter(status="pending_dispatch")
    with django_assert_num_queries(1):
        counts = paging.capped_counts({"all": pending, "none": Ticket.objects.none()}, cap=2)
    assert counts == {"all": 3, "none": 0}
    assert paging.capped_counts({"all": pending}, cap=5) == {"all": 3}
    assert paging.shown(counts["all"], cap=2) == "2+" and paging.shown(2, cap=2) == "2"


def test_tabs_and_pager_say_more_than_the_cap(client, people, flow, monkeypatch):
    monkeypatch.setattr(paging, "CAP", 2)
    monkeypatch.setattr("hotline.workbench.views.buttons.PAGE_SIZE", 1)
    for _ in range(4):
        flow.to("pending_dispatch")
    client.force_login(people["dispatcher1"])
    page = client.get("/dispatch/?tab=pending&page=9999")
    tabs = {key: n for key, _label, n in page.context["tabs"]}
    assert tabs["pending"] == 3  # counted to cap + 1, no further
    body = page.content.decode()
    assert "2+" in body  # the tab and the pager both say there are more
    assert page.context["page"].number == 3 and page.context["page"].paginator.more


def test_r_hm_4_assignment_takes_its_tickets_urgency(flow):
    urgent = flow.to("dispatched", urgency="urgent")
    normal = flow.to("dispatched")
    assert {a.urgency for a in Assignment.objects.filter(ticket=urgent)} == {"urgent"}
    assert {a.urgency for a in Assignment.objects.filter(ticket=normal)} == {"normal"}


def test_inbox_orders_by_the_assignments_own_urgency(people, flow, settings):
    """The inbox's order is the partial index's order: no join to the ticket to sort."""
    flow.to("dispatched")
    flow.to("dispatched", urgency="urgent")
    sql = str(queues.inbox_base(people["zjj_clerk"]).query)
    order = sql.split("ORDER BY")[1]
    assert '"tickets_assignment"."urgency" DESC' in order
    assert "tickets_ticket" not in order


def test_r_hm_4_request_takes_its_assignments_urgency(client, people, flow):
    normal = flow.to("return_review")
    urgent = flow.to("return_review", urgency="urgent")
    assert {r.urgency for r in UnitRequest.objects.filter(assignment__ticket=urgent)} == {"urgent"}
    assert {r.urgency for r in UnitRequest.objects.filter(assignment__ticket=normal)} == {"normal"}
    client.force_login(people["dispatcher1"])
    rows = client.get("/dispatch/?tab=send_back").context["rows"]
    assert [r["obj"].assignment.ticket for r in rows] == [urgent, normal]


def test_inbox_tabs_over_several_states_use_their_partial_index(people, flow):
    """SQLite proves a partial index's `state IN (…)` only from the same list written in
    the query: bound as parameters, "handling", "due soon" and "overdue" read and sorted
    the unit's whole history (issue 16, decision 0040)."""
    from django.db import connection
    from django.utils import timezone

    from hotline.sla.selectors import work_calendar

    flow.to("handling")
    tabs = queues.inbox_queues(people["zjj_clerk"], calendar=work_calendar(), now=timezone.now())
    for key, index in [("handling", "handling"), ("due_soon", "working"), ("overdue", "working")]:
        sql, params = tabs[key].values("pk")[:1000].query.sql_with_params()
        assert "IN ('dispatched', 'handling', 'return_review')" in sql or key == "handling"
        assert not {"handling", "return_review"} & {str(p) for p in params}
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert f"assignment_inbox_{index}" in plan, plan
        # "due soon" walks the unit's entries on SQLite: its window is not an index
        # range (a skip-scan over every unit with the statistics of a big database).
        unindexed = '+"tickets_assignment"."reply_due"' in sql
        assert unindexed == (key == "due_soon" and connection.vendor == "sqlite"), sql


def test_leaders_approvals_read_in_the_order_of_their_partial_index(client, people, flow):
    """A reply carries its assignment's unit and urgency, so the leader's approvals are
    one walk of `reply_approval_queue`, urgent first, not a sort of every waiting reply
    through a join (issue 16; R-UN-5)."""
    from django.db import connection

    from hotline.tickets.models import Reply

    normal, urgent = flow.to("handling"), flow.to("handling", urgency="urgent")
    other = flow.to("handling", lead="QX-CD", assists=())
    for ticket in (normal, urgent, other):
        flow.reply(ticket)
    waiting = Reply.objects.filter(state="submitted")
    assert {(r.unit_id, r.urgency) for r in waiting} == {
        (r.assignment.unit_id, r.assignment.urgency) for r in waiting
    }
    leader = people["zjj_leader"]
    client.force_login(leader)
    rows = client.get("/inbox/?tab=approve").context["rows"]
    assert [r["obj"].assignment.ticket for r in rows] == [urgent, normal]
    listed = queues.replies_to_approve(leader)
    sql, params = listed.query.sql_with_params()
    assert "tickets_assignment" not in sql.split("ORDER BY")[1]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "reply_approval_queue" in plan and "TEMP B-TREE" not in plan, plan


def test_literal_in_takes_constants_only():
    import pytest

    from hotline.core.lookups import literal

    assert literal("handling") == "'handling'" and literal(Assignment.State.REPLIED) == "'replied'"
    assert literal(12) == "12"
    for bad in ["x' OR '1", "50%", True, 1.5, None]:
        with pytest.raises(ValueError):
            literal(bad)
