"""A word search's count stops (issue 16, decision 0044): at the list's cap, and for a
unit, which sees a few percent of a common word's matches, after a budget of matches
tested — "at least n". The list page and the API's `q` count the same way."""

import pytest

from hotline.tickets import exports, paging, search
from hotline.tickets.models import Ticket
from hotline.tickets.models.assignment import sees_ticket

pytestmark = pytest.mark.django_db

SEEN, UNSEEN = 3, 5  # matches of 电梯 dispatched to the clerk's unit, and not


@pytest.fixture
def words(flow):
    seen = [flow.to("dispatched", summary=f"电梯故障 {n}", assists=()) for n in range(SEEN)]
    for n in range(UNSEEN):
        flow.create(summary=f"电梯异响 {n}")
    flow.create(summary="路灯不亮", detail="晚上很黑")
    return seen


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def count(user, cap=100, **data):
    return exports.search_count(user=user, data={"text": "电梯", **data}, cap=cap)


def test_a_unit_counts_exactly_within_the_budget(
    people, words, django_assert_num_queries, monkeypatch
):
    # So few matches are counted at once, where windows are used too (PostgreSQL).
    monkeypatch.setattr(paging, "_expected", lambda tickets, limit: 8.0)
    # The unit's sub-units; matches and visibility; on PostgreSQL the history's ends too.
    with django_assert_num_queries(2 + search.time_in_index()):
        assert count(people["zjj_clerk"]) == paging.Count(SEEN)
    assert count(people["dispatcher1"]) == paging.Count(SEEN + UNSEEN)


@pytest.fixture
def unnarrowed(monkeypatch):
    """A search whose index does not narrow by unit (the index narrows every unit's search
    to its own candidates: test_unit_terms): a unit's count tests every word match."""
    monkeypatch.setattr(exports, "units_seen", lambda user: None)


def test_a_unit_count_stops_at_the_budget_at_least_n(people, words, unnarrowed, monkeypatch):
    monkeypatch.setattr(paging, "BUDGET", 4)  # of 8 matches, 3 of them seen
    counted = count(people["zjj_clerk"])
    assert counted.capped and counted.n <= SEEN
    monkeypatch.setattr(paging, "BUDGET", SEEN + UNSEEN)  # every match tested: exact
    assert count(people["zjj_clerk"]) == paging.Count(SEEN)


def test_the_count_stops_at_the_cap(people, words):
    assert count(people["zjj_clerk"], cap=2) == paging.Count(3, capped=True)
    assert count(people["dispatcher1"], cap=2) == paging.Count(3, capped=True)
    assert count(people["zjj_clerk"], cap=3) == paging.Count(3)


def test_the_count_is_the_searchs_own(people, words):
    """Every filter of the search applies to the budgeted count, and nobody outside
    the tickets' units counts them."""
    assert count(people["zjj_clerk"], status="pending_dispatch") == paging.Count(0)
    assert count(people["zjj_clerk"], status="dispatched") == paging.Count(SEEN)
    assert count(people["cd_clerk"]) == paging.Count(0)
    for user in (people["zjj_clerk"], people["dispatcher1"]):
        assert count(user).n == len(exports.ticket_search(user=user, data={"text": "电梯"}))


def test_the_page_says_at_least_n_and_shows_seen_rows(
    client, people, words, unnarrowed, monkeypatch
):
    monkeypatch.setattr(paging, "BUDGET", 4)
    client.force_login(people["zjj_clerk"])
    response = client.get("/tickets/", {"text": "电梯"})
    body = response.content.decode()
    n = response.context["page"].paginator.count
    assert response.status_code == 200 and n <= SEEN
    assert f'<span class="count">{n}+</span>' in body
    assert f"At least {n} tickets match" in body and "More than" not in body
    mine = {t.number for t in words}
    assert {t.number for t in response.context["page"]} <= mine  # rows from windows


def test_the_api_q_counts_like_the_page(client, people, words, monkeypatch):
    client.force_login(people["zjj_clerk"])
    found = client.get("/api/tickets", {"q": "电梯"}).json()
    assert found["count"] == SEEN and found["count_capped"] is False
    assert {t["number"] for t in found["items"]} == {t.number for t in words}
    monkeypatch.setattr(paging, "LIST_CAP", 1)
    found = client.get("/api/tickets", {"q": "电梯", "limit": 2}).json()
    assert found["count"] == 2 and found["count_capped"] is True
    newest = Ticket.objects.filter(pk__in=[t.pk for t in words]).order_by("-received_at", "-id")
    assert [t["number"] for t in found["items"]] == [t.number for t in newest[:2]]
    rest = client.get("/api/tickets", {"q": "电梯", "limit": 2, "offset": 2}).json()
    assert [t["number"] for t in rest["items"]] == [t.number for t in newest[2:]]
    # Without words the API counts exactly, as before.
    plain = client.get("/api/tickets").json()
    assert plain["count"] == SEEN and plain["count_capped"] is False


def test_the_api_documents_the_capped_count(client, people):
    client.force_login(people["dispatcher1"])
    schema = client.get("/api/openapi.json").json()
    paged = [
        body
        for name, body in schema["components"]["schemas"].items()
        if "count_capped" in body.get("properties", {})
    ]
    assert paged, "the ticket list's page shape names count_capped"
    properties = paged[0]["properties"]
    assert properties["count_capped"]["type"] == "boolean"
    assert "at least" in properties["count"]["description"]
    assert "count_capped" not in paged[0].get("required", [])  # old clients need not read it


def test_the_page_says_it_in_chinese(client, people, words, unnarrowed, monkeypatch):
    monkeypatch.setattr(paging, "BUDGET", 4)
    client.cookies["django_language"] = "zh-hans"
    client.force_login(people["zjj_clerk"])
    body = client.get("/tickets/", {"text": "电梯"}).content.decode()
    assert "至少有" in body and "已在含这些词的前 4 个工单后停止计数" in body


@pytest.mark.parametrize("cap", [0, 1, 2, 3, 10])
@pytest.mark.parametrize("budget", [0, 1, 3, 7, 8, 20])
def test_a_unit_count_stops_at_the_cap_or_the_budget(people, words, unnarrowed, cap, budget):
    """The candidates are tested as they come: the count ends at the cap + 1st visible
    one or after the budget + 1st candidate (decision 0052); 3 of 8 candidates seen."""
    matches = search.matching(Ticket.objects.all(), "电梯")
    scope = sees_ticket(people["zjj_clerk"], "pk")
    counted = paging.capped_count(matches, scope, cap=cap, budget=budget)
    if budget >= SEEN + UNSEEN:  # every candidate tested: exact up to the cap
        assert counted == paging.Count(min(SEEN, cap + 1), capped=cap < SEEN)
    else:
        assert counted.capped and counted.n <= min(SEEN, cap + 1)
    if counted.n > cap:
        assert counted == paging.Count(cap + 1, capped=True)
