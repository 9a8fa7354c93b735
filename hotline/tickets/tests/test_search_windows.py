"""Word search pages read from the end of the history (tickets.paging, issue 16): the
rows found in widening windows of received time are exactly those of the plain sort,
and the list counts to a cap and then says "more than"."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

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


def test_windows_widen_only_as_far_as_the_page_needs(
    history, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(paging, "WHOLE_ROWS", 0)
    monkeypatch.setattr(paging, "_expected", lambda tickets, limit: None)  # no estimate
    tickets = search.matching(Ticket.objects.all(), "电梯").order_by("-received_at", "-id")
    with django_assert_max_num_queries(2):  # the history's ends and the first hour
        assert len(paging.first_rows(tickets, 2)) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate")
def test_few_expected_matches_are_read_at_once(history, django_assert_num_queries):
    """The planner expects a few matches (the bigram's statistics): no ends, no windows."""
    tickets = search.matching(Ticket.objects.all(), "电梯").order_by("-received_at", "-id")
    with connection.cursor() as cursor:  # a tiny table: the planner would scan it
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert paging._expected(tickets, paging.WHOLE_ROWS) <= paging.WHOLE_ROWS
    with django_assert_num_queries(2):  # the estimate, the rows
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


def test_a_few_matches_per_hour_read_the_whole_history_at_once(
    history, django_assert_max_num_queries, monkeypatch
):
    """When the newest hour's matches put the whole history's under WHOLE_ROWS (two an
    hour, taken as five, for eight years: 360,000), the rest is read at once, not window
    after window, each of which costs what the city received in it (decision 0051)."""
    monkeypatch.setattr(paging, "WHOLE_ROWS", 400_000)
    monkeypatch.setattr(paging, "_expected", lambda tickets, limit: None)  # no estimate
    tickets = search.matching(Ticket.objects.all(), "电梯").order_by("-received_at", "-id")
    with django_assert_max_num_queries(3):  # the ends, the newest hour, the whole history
        assert len(paging.first_rows(tickets, len(AGES))) == len(AGES)


def test_the_next_window_sized_from_the_matches_per_hour():
    hour, now = timedelta(hours=1), clock.now()
    year = (now, now - timedelta(days=365))
    assert paging._next_span(hour, 30, 20, year, 2_000) == 2 * hour  # 1.5 x 20 / 30 h: twice
    assert paging._next_span(hour, 30, 970, year, 2_000) == 16 * hour  # at most 16 times
    # The rate taken high, at found + 3 an hour: none found, 26,280 a year.
    assert paging._next_span(hour, 0, 50, year, 20_000) == 8 * hour  # none found: 8 times
    assert paging._next_span(hour, 0, 50, year, 30_000) is None  # all of it
    assert paging._next_span(8 * hour, 0, 50, year, 20_000) is None  # 3 in 8 h: 3,285 a year
    assert paging._next_span(hour, 3, 47, year, 50_000) == 16 * hour  # 52,560 a year
    assert paging._next_span(hour, 2, 48, year, 50_000) is None  # 43,800 a year
    assert paging._next_span(hour, 30, 970, (now, now - 10 * hour), 0) is None


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
def test_a_window_of_buckets_holds_the_tickets_since_its_first_hour(history, days):
    """The window the index answers is every ticket from the start of the hour `days`
    before the newest one: a suffix of the received order, as the paging needs."""
    newest = Ticket.objects.latest("received_at").received_at
    window = paging._window(Ticket.objects.all(), -1, newest, timedelta(days=days))
    start = (newest - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    assert set(window.values_list("pk", flat=True)) == set(
        Ticket.objects.filter(received_at__gte=start).values_list("pk", flat=True)
    )
    oldest = Ticket.objects.earliest("received_at").received_at
    window = paging._window(Ticket.objects.all(), 1, oldest, timedelta(days=days))
    end = (oldest + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    assert set(window.values_list("pk", flat=True)) == set(
        Ticket.objects.filter(received_at__lt=end + timedelta(hours=1)).values_list("pk", flat=True)
    )


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


@pytest.mark.parametrize("estimate", [10.0**7, None])
def test_with_an_estimate_windows_widen_without_jumping(history, monkeypatch, estimate):
    """A window that found none says "fewer than 3 an hour". Without an estimate that
    sends the rest to the whole history at once; where the index expects many, the
    windows only widen (decisions 0051, 0052)."""
    monkeypatch.setattr(paging, "_expected", lambda tickets, limit: estimate)
    tickets = search.matching(Ticket.objects.all(), "路灯").order_by("-received_at", "-id")
    windows = []

    def read(window):
        windows.append(window)
        return None, 0, False

    paging._windowed(tickets, -1, 1001, 10**6, read)
    whole = windows[-1].query.where == tickets.query.where
    assert whole and (len(windows) == 2) == (estimate is None)  # else 1 h, 8 h, 64 h, ...


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


def test_only_a_user_who_sees_every_ticket_reads_the_whole_from_the_matches(people):
    """A unit's candidates each cost a test of its assignments: its whole history is read
    as its pages are, walking the received time on SQLite (decision 0052)."""
    tickets = Ticket.objects.all()
    assert exports.whole_rows(people["dispatcher1"], tickets) is tickets
    assert exports.whole_rows(people["zjj_clerk"], tickets) is None
