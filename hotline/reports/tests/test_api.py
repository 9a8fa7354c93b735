"""GET /api/assessment and /api/stats/intake (R-AS-2, R-DA-3): the pages' numbers, and
bad input as {"error": {"code", "message"}}."""

import datetime as dt

import pytest
from django.test import Client

from hotline.reports import aggregate, selectors
from hotline.reports.demo import build_demo_reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(flow, people, at):
    at(2026, 3, 2, 9)
    flow.to("closed", lead="QX-ZJJ", assists=())
    flow.to("closed", lead="QX-CGJ", assists=(), channel="web")
    at(2026, 3, 30, 9)
    build_demo_reports()
    client = Client()
    client.force_login(people["analyst1"])
    return client


def test_R_AS_2_api_assessment_same_numbers_as_the_selectors(analyst, units):
    body = analyst.get("/api/assessment?from=2026-03-01&to=2026-03-31").json()
    span = selectors.Span(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    rows = {r["code"]: r for r in selectors.assessment(span)["rows"]}
    zjj = next(u for u in body["units"] if u["code"] == "QX-ZJJ")
    assert zjj["counts"]["received_lead"] == rows["QX-ZJJ"]["counts"]["received_lead"] == 1
    assert zjj["rates"]["satisfy_rate"] == {"numerator": 1, "denominator": 1, "value": 1.0}
    assert zjj["score"] == rows["QX-ZJJ"]["score"]["total"]
    assert zjj["rank"] == rows["QX-ZJJ"]["rank"]
    # A unit with nothing to count: every rate "—" (null), never 0 % or 100 %.
    jyj = next(u for u in body["units"] if u["code"] == "QX-JYJ")
    assert jyj["rates"]["on_time_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    one = analyst.get("/api/assessment?from=2026-03-01&to=2026-03-31&unit=QX-ZJJ").json()
    assert [u["code"] for u in one["units"]] == ["QX-ZJJ"]


def test_R_DA_3_api_intake_series(analyst):
    body = analyst.get("/api/stats/intake?from=2026-03-01&to=2026-03-03&by=day").json()
    assert [p["count"] for p in body["series"]] == [0, 2, 0]
    by_channel = analyst.get("/api/stats/intake?from=2026-03-01&to=2026-03-31&by=channel").json()
    assert {p["key"]: p["count"] for p in by_channel["series"]} == {"phone": 1, "web": 1}


@pytest.mark.parametrize(
    "url, code",
    [
        ("/api/assessment?from=2026-03-31&to=2026-03-01", "bad_period"),
        ("/api/assessment?from=2020-01-01&to=2026-03-01", "period_too_long"),
        ("/api/assessment?from=2026-03-01&to=2026-03-31&unit=NOPE", "unknown_unit"),
        ("/api/assessment?from=2026-03-01&to=2026-03-31&scheme=NOPE", "unknown_scheme"),
        ("/api/assessment?from=yesterday&to=2026-03-31", "bad_date"),
        ("/api/assessment", "bad_date"),
        ("/api/stats/intake?from=2026-03-01&to=2026-03-31&by=weather", "bad_by"),
    ],
)
def test_R_AS_2_api_bad_input_is_a_structured_error(analyst, url, code):
    response = analyst.get(url)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_api_needs_staff(client):
    assert client.get("/api/assessment?from=2026-03-01&to=2026-03-31").status_code == 401


def test_tick_job_is_registered():
    from hotline.site.tick import _jobs

    assert any(name == "reports" for name, _job in _jobs())
    assert aggregate.refresh_pending


def test_R_DA_3_intake_by_dimension_totals_match_the_facts(analyst, flow, at):
    """The dashboard's unfiltered series come from the per-day totals by dimension; they
    must equal a count of the intake facts themselves, after a refresh moves a ticket."""
    from django.db.models import Count

    from hotline.reports.models import Fact

    at(2026, 3, 10, 9)
    flow.to("handling", lead="QX-CD", assists=(), channel="wechat")
    aggregate.refresh_pending()
    span = selectors.Span(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    for by, column in (("kind", "kind"), ("channel", "channel"), ("topic", "topic_id")):
        got = {r["key"]: r["count"] for r in selectors.intake_series(span, by)}
        want = dict(
            Fact.objects.filter(metric="intake", day__gte=span.start, day__lte=span.end)
            .values_list(column)
            .annotate(n=Count("id"))
            .order_by()
        )
        assert got == want, by
    assert sum(r["count"] for r in selectors.intake_series(span, "channel")) == 3
