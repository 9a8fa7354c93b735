"""A unit's word search narrowed inside the text index (issue 16, decision 0051): every
ticket carries a token per unit it was ever given to, written by the services that give
it; PostgreSQL's index holds words, units and received time; the count of a word search
reads windows from the newest end. The rule that decides who sees what stays
`sees_ticket`: the tokens only narrow."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.accounts.models import User
from hotline.core import clock
from hotline.tickets import exports, paging, search
from hotline.tickets import services as s
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def tokens(ticket) -> set[str]:
    ticket.refresh_from_db()
    return set(ticket.unit_terms.split())


def token(unit) -> str:
    return search.unit_token(unit.pk)


def test_with_units_adds_each_unit_once_and_keeps_the_rest():
    assert search.with_units("", [3, 12]) == "u3 u12"
    assert search.with_units("u3 u12", [12, 7, 7]) == "u3 u12 u7"
    assert search.with_units("u3", []) == "u3"


def test_the_dispatch_writes_the_lead_and_the_assisting_units(flow, units):
    ticket = flow.to("dispatched", assists=("QX-CD",))
    assert tokens(ticket) == {token(units["QX-ZJJ"]), token(units["QX-CD"])}
    assert flow.create().unit_terms == ""  # not given to anybody yet


def test_a_ticket_sent_on_keeps_the_old_units_token_but_not_its_sight(flow, people, units):
    """The token only grows: the unit that sent it back is still in the index, and the
    rule (a returned assignment is not seen) keeps the ticket from its search."""
    ticket = flow.to("handling", assists=(), summary="电梯困人")
    first = flow.lead(ticket)
    request = s.send_back_request(
        actor=flow.clerk(first), assignment=first, reason="属特种设备", legal_basis="三定方案"
    )
    s.send_back_decide(actor=people["dispatcher1"], request=request, approve=True, note="同意")
    flow.dispatch(Ticket.objects.get(pk=ticket.pk), lead="QX-SJJ")
    assert tokens(ticket) == {token(units["QX-ZJJ"]), token(units["QX-SJJ"])}
    for clerk, seen in (("zjj_clerk", False), ("sjj_clerk", True)):
        found = exports.ticket_search(user=people[clerk], data={"text": "电梯困人"})
        assert list(found) == ([Ticket.objects.get(pk=ticket.pk)] if seen else [])
        assert exports.search_count(user=people[clerk], data={"text": "电梯困人"}, cap=10).n == (
            1 if seen else 0
        )


def test_passing_down_adds_the_sub_unit(flow, people, units):
    ticket = flow.to("handling", lead="QX-CD", assists=())
    s.assignment_pass_down(
        actor=people["cd_clerk"], assignment=flow.lead(ticket), unit=units["QX-CD-DM"]
    )
    assert tokens(ticket) == {token(units["QX-CD"]), token(units["QX-CD-DM"])}
    community = User.objects.create(username="dm", role="unit_clerk", unit=units["QX-CD-DM"])
    found = exports.ticket_search(user=community, data={"text": "电梯"})
    assert [t.pk for t in found] == [ticket.pk]


def test_the_migration_fills_what_the_services_write(flow, units):
    made = [
        flow.to("dispatched", assists=("QX-CD",)),
        flow.to("handling", lead="QX-CD", assists=()),
        flow.create(),
    ]
    written = {t.pk: tokens(t) for t in made}
    Ticket.objects.update(unit_terms="")
    migration = importlib.import_module("hotline.tickets.migrations.0021_ticket_unit_terms")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL[connection.vendor])
    assert {t.pk: tokens(t) for t in made} == written


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
def test_a_units_word_search_asks_the_index_for_its_units(flow, people, units):
    flow.to("dispatched", assists=(), summary="电梯故障")
    found = exports.ticket_search(user=people["zjj_clerk"], data={"text": "电梯"}, walk=True)
    sql, params = found.query.sql_with_params()
    assert '"unit_terms"::tsvector @@' in sql
    assert any(token(units["QX-ZJJ"]) in str(p).split(" | ") for p in params)
    # Words and units in one scan of the index (the order and the rule come after).
    narrowed = search.matching(Ticket.objects.all(), "电梯", units=[[units["QX-ZJJ"].pk]])
    sql, params = narrowed.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table: a scan, or the received_at index for the order, is cheaper.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.PG_INDEX in plan, plan
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("unit_terms" in c and "search_terms" in c for c in conditions), plan


def test_the_unit_filter_narrows_a_word_search_too(flow, people, units):
    mine = flow.to("dispatched", assists=(), summary="电梯故障")
    flow.to("dispatched", lead="QX-CD", assists=(), summary="电梯异响")
    data = {"text": "电梯", "unit": units["QX-ZJJ"]}
    found = exports.ticket_search(user=people["dispatcher1"], data=data)
    assert [t.pk for t in found] == [mine.pk]
    assert exports.search_count(user=people["dispatcher1"], data=data, cap=10) == paging.Count(1)


# --- the count read from windows --------------------------------------------------------

AGES = (0, 0, 0.02, 0.5, 2, 10, 40, 200, 900, 3000)  # days before now


@pytest.fixture
def aged(flow):
    """Matches of 电梯 across the history, every other one dispatched to 住建局."""
    now = clock.now()
    for n, days in enumerate(AGES):
        if n % 2:
            ticket = flow.create(summary=f"电梯故障 {n}")
        else:
            ticket = flow.to("dispatched", assists=(), summary=f"电梯故障 {n}")
        Ticket.objects.filter(pk=ticket.pk).update(received_at=now - timedelta(days=days))
    flow.create(summary="路灯不亮", detail="晚上很黑")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows: PostgreSQL's index")
@pytest.mark.parametrize("who", ["dispatcher1", "zjj_clerk"])
def test_a_count_by_windows_is_the_count_over_every_match(aged, people, who, monkeypatch):
    """For every cap and budget, the windows' count is the one-statement count: exact
    under the cap, cap + 1 past it, "at least n" when the budget runs out."""
    user = people[who]
    for cap in range(len(AGES) + 1):
        for budget in (1, 3, 100):
            monkeypatch.setattr(paging, "BUDGET", budget)
            counts = {}
            for windows in (False, True):
                monkeypatch.setattr(search, "time_in_index", lambda w=windows: w)
                counts[windows] = exports.search_count(user=user, data={"text": "电梯"}, cap=cap)
            if who == "dispatcher1" or not counts[False].capped or counts[False].n > cap:
                assert counts[True] == counts[False], (cap, budget)
            else:  # the budget ran out: both say "at least", the windows newest first
                assert counts[True].capped and counts[True].n <= len(AGES) // 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows: PostgreSQL's index")
def test_a_count_by_windows_stops_at_the_first_window_past_the_cap(
    aged, people, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(search, "time_in_index", lambda: True)
    monkeypatch.setattr(paging, "_expected", lambda tickets, limit: None)  # many: windows
    with django_assert_max_num_queries(2):  # the history's end + the first hour (3 matches)
        counted = exports.search_count(user=people["dispatcher1"], data={"text": "电梯"}, cap=2)
    assert counted == paging.Count(3, capped=True)


def test_a_units_page_of_few_matches_starts_from_them(client, aged, people):
    """Every word search's page goes through the windows' paging, counted to its cap or
    not (as many statements at every size, decision 0053); a unit's few matches are then
    read from the index's matches, not by walking the received time (SQLite), and the
    page shows what the plain sort shows."""
    client.force_login(people["zjj_clerk"])
    client.cookies["django_language"] = "en"
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/tickets/", {"text": "电梯"})
    assert response.status_code == 200
    shown = [ticket.pk for ticket in response.context["page"]]
    mine = exports.ticket_search(user=people["zjj_clerk"], data={"text": "电梯"})
    assert shown == list(mine.order_by("-received_at", "-id").values_list("pk", flat=True))
    assert len(shown) == (len(AGES) + 1) // 2
    assert not any('+"tickets_ticket"."id"' in query["sql"] for query in captured)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS index")
def test_sqlite_matches_words_and_units_in_one_fts_query(flow, people, units):
    """SQLite's FTS row holds the bigrams and the unit tokens, kept by the triggers as the
    dispatch writes them: a unit's word search is one MATCH (decision 0052)."""
    mine = flow.to("dispatched", assists=(), summary="电梯故障")
    other = flow.to("dispatched", lead="QX-CD", assists=(), summary="电梯异响")
    zjj, cd = units["QX-ZJJ"].pk, units["QX-CD"].pk
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT terms FROM {search.FTS_TABLE} WHERE rowid = %s", [mine.pk])
        assert search.unit_token(zjj) in cursor.fetchone()[0].split()
    narrowed = search.matching(Ticket.objects.all(), "电梯 故障", units=[[zjj, cd], [zjj]])
    sql, params = narrowed.query.sql_with_params()
    assert sql.count("MATCH") == 1 and [e for e, _ in search.conditions(sql, params)] == [
        search.FTS_TABLE
    ]
    assert list(narrowed) == [mine]
    both = search.matching(Ticket.objects.all(), "电梯", units=[[zjj, cd]])
    assert set(both) == {mine, other}
    assert paging._expected(both, 10) == 2
    clerk = exports.ticket_search(user=people["zjj_clerk"], data={"text": "电梯"})
    assert list(clerk) == [mine]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_sqlite_triggers_of_the_words_alone_are_replaced_and_the_units_filled(flow, units):
    """A database whose FTS triggers predate the unit tokens gets them at the next migrate."""
    mine = flow.to("dispatched", assists=(), summary="电梯故障")
    fts = search.FTS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {fts}_update")
        cursor.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_terms ON tickets_ticket BEGIN"
            f" DELETE FROM {fts} WHERE rowid = old.id;"
            f" INSERT INTO {fts}(rowid, terms) VALUES (new.id, new.search_terms); END"
        )
        cursor.execute(f"UPDATE {fts} SET terms = %s WHERE rowid = %s", ["x", mine.pk])
    assert search.ensure_index() is True
    assert search.ensure_index() is False
    units_only = search.matching(Ticket.objects.all(), "电梯", units=[[units["QX-ZJJ"].pk]])
    assert list(units_only) == [mine]
