"""The demo city has a month of history, so every chart and ranking has content (issue
12, "Done when")."""

import datetime as dt

import pytest

from hotline.directory.selectors import today
from hotline.reports import dashboard, selectors
from hotline.reports.demo import build_demo_reports
from hotline.reports.models import Period, ReportDocument
from hotline.tickets.demo import build_demo_tickets
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_city_month_of_history_fills_every_chart_and_ranking(demo):
    build_demo_tickets(count=150)
    build_demo_reports()
    first = Ticket.objects.order_by("received_at").first().received_at.date()
    assert today() - first >= dt.timedelta(days=30)  # a month of history, not one day
    span = selectors.Span(today() - dt.timedelta(days=29), today())
    board = dashboard.build(span, filters={})
    empty = [c["key"] for c in board["charts"] if not c["rows"] and not c["key"].endswith("today")]
    assert empty == [], empty
    satisfaction = next(c for c in board["charts"] if c["key"] == "satisfaction")
    assert any(point["value"] is not None for point in satisfaction["rows"])
    ranked = [r for r in board["rate_rows"] if r["rank"] is not None]
    assert len(ranked) >= 3
    assert Period.objects.filter(published_at__isnull=False).exists()  # last month published
    assert ReportDocument.objects.exists()
