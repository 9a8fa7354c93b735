"""Word search pages read from the end of the history (tickets.paging, issue 16): the
rows found in widening windows of received time are exactly those of the plain sort,
and the list counts to a cap and then says "more than"."""

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.core import clock
from hotline.tickets import exports, paging, search
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db

# Days before now: the same moment twice (ties broken by id), inside the first window,
# in later windows, and beyond the widest window (the last step is the whole history).
AGES = (0, 0, 0.5, 2, 3, 10, 40, 200, 900, 3000, 3000)


@pytest.fixture
def history(flow):
    now = clock.now()
    made = []
    for n, days in enumerate(AGES):
        ticket = flow.create(summary=f"电梯故障 {n}")
        Ticket.objects.filter(pk=ticket.pk).update(received_at=now - timedelta(days=days))
        made.append(ticket.pk)
    flow.create(summary="路灯不亮", detail="晚上很黑")  # newest, but not a match
    return made


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture(params=["windows", "whole"])
def whole_at(request, monkeypatch):
    """Windows all the way (no history is small enough to read at once), or as set."""
    if request.param == "windows":
        monkeypatch.setattr(paging, "WHOLE_ROWS", 0)
        monkeypatch.setattr(paging, "WHOLE_COUNT", 0)
    return request.param


@pytest.mark.parametrize("order", [("-received_at", "-id"), ("received_at", "id")])
def test_windows_give_the_rows_of_the_plain_sort(history, order, whole_at):
    tickets = search.matching(Ticket.objects.all(), "电梯").order_by(*order)
    plain = list(tickets.values_list("pk", flat=True))
    assert len(plain) == len(AGES)
    for stop in range(len(AGES) + 2):
        assert [t.pk for t in paging.first_rows(tickets, stop)] == plain[:stop]


@pytest.mark.parametrize("stop", [2, len(AGES)])
def test_the_windows_are_one_statement_however_many_are_read(
    history, django_assert_num_queries, monkeypatch, stop
):
    """The first hour or every window back to 3,000 days: the history's ends, then one
    statement (decision 0053)."""
    monkeypatch.setattr(paging, "WHOLE_ROWS", 0)
    monkeypatch.setattr(paging, "_expected", lambda tickets, limit: None)  # no estimate
    tickets = search.matching(Ticket.objects.all(), "电梯").order_by("-received_at", "-id")
    queries = 2 if search.time_in_index() else 1  # SQLite walks once, without windows
    with django_assert_num_queries(queries):
        assert len(paging.first_rows(tickets, stop)) == stop


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate")
def test_few_expected_matches_are_read_at_once(history, django_assert_num_queries):
    """The planner expects a few matches (the bigram's statistics): no windows."""
    tickets = search.matching(Ticket.objects.all(), "电梯").order_by("-received_at", "-id")
    with connection.cursor() as cursor:  # a tiny table: the planner would scan it
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert paging._expected(tickets, paging.WHOLE_ROWS) <= paging.WHOLE_ROWS
    with django_assert_num_queries(3):  # the estimate, the ends (as ever: 0053), the rows
        assert len(paging.first_rows(tickets, 5)) == 5
    assert paging._expected(Ticket.objects.none(), 10) == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS count")
def test_sqlite_counts_the_candidates_and_reads_few_from_the_matches(
    history, django_assert_num_queries
):
    """SQLite counts each term's candidates in the FTS index, up to the limit + 1; when
    they are few, the whole history is read once from `whole`, the search planned from
    its matches, not by walking the received time (decision 0052)."""
    walk = search.matching(Ticket.objects.all(), "电梯 故障", walk=True)
    walk = walk.order_by("-received_at", "-id")
    assert paging._expected(walk, 100) == len(AGES)
    assert paging._expected(walk, 5) == 6
    assert paging._expected(search.matching(Ticket.objects.all(), "路灯"), 100) == 1
    # Each term alone, the fewest: an upper bound (电梯 路灯 has none together).
    assert paging._expected(search.matching(Ticket.objects.all(), "电梯 路灯"), 100) == 1
    assert paging._expected(search.matching(Ticket.objects.all(), "灯"), 100) is None
    whole = search.matching(Ticket.objects.all(), "电梯 故障").order_by("-received_at", "-id")
    with django_assert_num_queries(2) as captured:  # the count, the rows
        rows = paging.first_rows(walk, 5, whole=whole)
    assert rows == list(whole[:5])
    assert '+"tickets_ticket"."id"' not in captured.captured_queries[-1]["sql"]


def test_the_first_window_reaches_as_far_as_the_estimate_gives_the_rows_wanted():
    hour, now = timedelta(hours=1), clock.now()
    year = (now, now - timedelta(days=365))
    assert paging._first_span(8760, 50, year) == 50 * hour  # one an hour: 50 hours
    assert paging._first_span(8760 * 1000, 50, year) == hour  # at least an hour
    assert paging._first_span(20, 50, year) == 365 * 24 * hour  # all of it, no more
    assert paging._first_span(None, 50, year) == paging._first_span(0, 50, year) == hour


def test_an_unordered_or_otherwise_ordered_search_is_sliced_as_it_is(history):
    tickets = Ticket.objects.order_by("number")
    assert paging.direction(tickets) == 0
    assert paging.first_rows(tickets, 2) == list(tickets[:2])
    assert paging.first_rows(Ticket.objects.none().order_by("-received_at"), 5) == []


def test_has_words():
    assert exports.has_words({"text": "电梯"})
    assert exports.has_words({"q": "电梯"})
    assert not exports.has_words({"q": "2025"})
    assert not exports.has_words({"text": " ", "q": ""})


def test_list_says_more_than_the_cap_and_pages_through_windows(
    client, people, history, monkeypatch
):
    monkeypatch.setattr("hotline.tickets.views.LIST_CAP", 3)
    monkeypatch.setattr("hotline.tickets.views.PAGE_SIZE", 2)
    client.force_login(people["dispatcher1"])
    expected = list(
        Ticket.objects.filter(summary__contains="电梯")
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)
    )
    for sort, numbers in (("-received", expected), ("received", expected[::-1])):
        for page in (1, 2):
            response = client.get("/tickets/", {"text": "电梯", "sort": sort, "page": page})
            body = response.content.decode()
            assert response.status_code == 200
            assert "More than 3 tickets match" in body
            assert '<span class="count">3+</span>' in body
            # Not known to exceed the export's 10,000: only that an export is bounded.
            assert "An export holds at most the first 10000 tickets." in body
            assert "narrow the search to export the rest" not in body
            shown = [n for n in numbers if n in body]
            assert shown == numbers[(page - 1) * 2 : page * 2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="windows: PostgreSQL's index")
def test_a_page_makes_as_many_statements_with_windows_as_without(
    client, people, history, monkeypatch
):
    """Every window in one statement, the estimate and the history's ends asked once for
    the count and the rows: a word search's page makes as many statements whether it
    reads the whole history or windows back to 3,000 days (issue 16, decision 0053)."""
    monkeypatch.setattr("hotline.tickets.views.LIST_CAP", 3)  # so the rows are windowed too
    client.force_login(people["dispatcher1"])
    client.get("/tickets/")  # the session's first save
    # The estimate is still asked (and counted below), but says many: small windows.
    estimate = search.fewest_candidates
    monkeypatch.setattr(search, "fewest_candidates", lambda *a: estimate(*a) and 10.0**6)
    made = {}
    for whole in (0, 10**6):
        monkeypatch.setattr(paging, "WHOLE_ROWS", whole)
        monkeypatch.setattr(paging, "WHOLE_COUNT", whole)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tickets/", {"text": "电梯", "page": 2}).status_code == 200
        made[whole] = [query["sql"] for query in captured.captured_queries]
    assert len(made[0]) == len(made[10**6])
    assert sum("UNION ALL" in sql for sql in made[0]) == 2  # the count, the rows
    assert not any("UNION ALL" in sql for sql in made[10**6])
    for sqls in made.values():
        assert sum(sql.startswith("EXPLAIN") for sql in sqls) == 1


def test_a_count_under_the_cap_is_exact(client, people, history, monkeypatch):
    monkeypatch.setattr("hotline.tickets.views.LIST_CAP", 100)
    client.force_login(people["dispatcher1"])
    body = client.get("/tickets/", {"q": "电梯"}).content.decode()
    assert f'<span class="count">{len(AGES)}</span>' in body
    assert "More than" not in body and "An export holds" not in body


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket'"
        )
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
@pytest.mark.parametrize("retired", search.PG_RETIRED)
def test_the_words_index_holds_units_and_time_and_replaces_the_old_ones(history, retired):
    """One GIN index scan answers words, units and window together (the planner's choice
    at scale is measured in bench/pages.py); a database with the index of decision 0005,
    0038 or 0051 gets this one at the next migrate (decision 0052)."""
    definition = _indexes()[search.PG_INDEX]
    for part in ("gin", "search_terms", "unit_terms", "hotline_time_terms(received_at)"):
        assert part in definition
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no index change with FK checks due
        cursor.execute(f"DROP INDEX {search.PG_INDEX}")
        cursor.execute(
            f"CREATE INDEX {retired} ON tickets_ticket USING gin ((search_terms::tsvector))"
        )
    assert search.ensure_index() is True
    indexes = _indexes()
    assert search.PG_INDEX in indexes and not set(search.PG_RETIRED) & set(indexes)
    assert search.ensure_index() is False
    assert set(search.matching(Ticket.objects.all(), "电梯").values_list("pk", flat=True)) == set(
        history
    )


def test_time_terms_cover_exactly_the_hours_asked():
    """The fewest buckets, each of 2^k hours where one starts and fits: every hour of the
    span in exactly one of them, none outside (decision 0052)."""

    def hours(tokens):
        covered = []
        for token in tokens:
            level, number = (int(part) for part in token[1:].split("x"))
            covered += range(number << level, (number + 1) << level)
        return covered

    for first, last in [(0, 0), (5, 5), (7, 8), (100, 612), (-40, 3), (499_014, 499_014 + 1024)]:
        tokens = search.time_terms(first, last)
        assert hours(tokens) == list(range(first, last + 1)), (first, last)
        assert len(tokens) <= 2 * search.LEVELS
    assert search.time_terms(0, 2**15 - 1) == ["t15x0"]
    assert search.time_terms(0, 2**17 - 1) == ["t15x0", "t15x1", "t15x2", "t15x3"]
    assert search.time_terms(3, 2) == []
    moment = datetime(2026, 12, 5, 8, 59, 59, 999_999, tzinfo=UTC)
    assert search.hour(moment) + 1 == search.hour(moment + timedelta(microseconds=1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's time buckets")
def test_the_database_buckets_a_time_as_python_does(history):
    """hotline_time_terms (in the index) and search.hour agree, at an hour's edges too."""
    edge = datetime(2026, 12, 5, 9, tzinfo=UTC)
    for moment in (edge, edge - timedelta(microseconds=1), datetime(1969, 12, 31, 23, tzinfo=UTC)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT hotline_time_terms(%s)::text", [moment])
            got = {token.strip("'") for token in cursor.fetchone()[0].split()}
        first = search.hour(moment)
        assert got == {f"t{k}x{first >> k}" for k in range(search.LEVELS)}
        assert search.time_terms(first, first) == [f"t0x{first}"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's time buckets")
@pytest.mark.parametrize("days", [0.01, 0.5, 2, 45, 1000, 5000])
@pytest.mark.parametrize("way", [-1, 1])
def test_the_windows_cut_the_history_in_order_without_overlap(history, days, way):
    """From the list's end, the first window reaching `days` back (and AHEAD ahead), each
    next reaching GROWTH times as far, the last reaching the other end: every ticket in
    exactly one window, the windows in the list's order (decision 0053)."""
    ends = paging._ends(Ticket.objects.all(), way)
    windows = paging._windows(way, ends, timedelta(days=days))
    found = [
        sorted(search.in_buckets(Ticket.objects.all(), window).values_list("received_at", "pk"))
        for window in windows
    ]
    every = [pk for window in found for _, pk in window]
    assert sorted(every) == sorted(Ticket.objects.values_list("pk", flat=True))
    oldest_first = found[::-1] if way < 0 else found  # each window sorted oldest first
    times = [moment for window in oldest_first for moment, _ in window]
    assert times == sorted(times)
    # The first window: every ticket within `days` (whole hours) of the list's first.
    reach = max(1, math.ceil(days * 24))
    near = {
        pk
        for moment, pk in Ticket.objects.values_list("received_at", "pk")
        if way * (search.hour(moment) - search.hour(ends[0])) <= reach
    }
    assert {pk for _, pk in found[0]} == near
    # Each window reaches GROWTH times as far; the last is the first to reach the other end.
    length = abs(search.hour(ends[0]) - search.hour(ends[1]))
    reaches = [reach * paging.GROWTH**n for n in range(len(windows))]
    assert reaches[-1] >= length and all(far < length for far in reaches[:-1])


@pytest.mark.parametrize("text", ["电梯", "电梯 故障", "梯故", "路灯", "x"])
def test_the_walking_plan_finds_the_same_tickets(history, text):
    plain = search.matching(Ticket.objects.all(), text)
    walked = search.matching(Ticket.objects.all(), text, walk=True)
    assert set(walked.values_list("pk", flat=True)) == set(plain.values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_walking_plan_reads_the_received_index_on_sqlite(history):
    tickets = search.matching(Ticket.objects.all(), "电梯", walk=True).filter(
        received_at__gte=clock.now() - timedelta(days=1)
    )
    sql, params = tickets.order_by("-received_at", "-id")[:5].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "received_at" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate")
def test_correlated_words_are_expected_as_often_as_the_rarer_alone(flow):
    """Two words that always come together (电梯 小区): the planner's own estimate multiplies
    their frequencies; the estimate the windows go by is the rarer word's alone, so a
    count of a common pair is not read over the whole history at once (decision 0052)."""
    for n in range(40):
        flow.create(summary="电梯小区" if n % 4 == 0 else "路灯不亮", detail="")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    both = search.matching(Ticket.objects.all(), "电梯 小区")
    alone = search.matching(Ticket.objects.all(), "电梯")
    assert search.conditions(*both.query.sql_with_params()) == [
        (search.WORDS, "k7535g68af"),
        (search.WORDS, "k5c0fg533a"),
    ]
    assert paging._expected(both, 100) == paging._expected(alone, 100) == pytest.approx(10, abs=3)
    sql, params = both.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    planner = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    assert planner < 5  # 40 x 1/4 x 1/4 (and a tenth of a percent for each LIKE)
    units = search.matching(Ticket.objects.all(), "电梯", units=[[1, 2]])
    assert [e for e, _ in search.conditions(*units.query.sql_with_params())] == [
        search.WORDS,
        search.UNITS,
    ]
    assert paging._expected(units, 100) == 1  # no ticket has either token: the planner's floor
