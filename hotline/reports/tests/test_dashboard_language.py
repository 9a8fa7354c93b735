"""The dashboard's titles, sentences and units go through gettext (decision 0025):
Chinese in the site language, English on request."""

import datetime as dt

import pytest
from django.utils import translation

from hotline.reports import dashboard, selectors

pytestmark = pytest.mark.django_db

SPAN = selectors.Span(dt.date(2026, 3, 2), dt.date(2026, 3, 3))


def chart(board, key):
    return next(c for c in board["charts"] if c["key"] == key)


def test_charts_read_chinese_in_the_site_language():
    board = dashboard.build(SPAN, filters={})
    assert chart(board, "channel-month")["title"] == "本月受理量（按渠道）"
    assert chart(board, "topics")["text"] == "热点诉求（按分类，前十）：无数据"
    assert chart(board, "score")["unit"] == "分" and chart(board, "overdue")["unit"] == "件"
    week = chart(board, "trend-week")
    assert week["rows"][0]["label"] == "03-02周"
    assert week["rows"][0]["display"] == "0（去年同期 0）"
    assert week["text"] == "受理量趋势（按周，与去年同期比较）：03-02周 0（去年同期 0）"


def test_charts_follow_the_active_language():
    with translation.override("en"):
        board = dashboard.build(SPAN, filters={})
    assert chart(board, "channel-month")["title"] == "Intake this month by channel"
    assert chart(board, "topics")["text"] == "Top ten topics of requests: no data"
    assert chart(board, "overdue")["unit"] == "tickets"
    assert chart(board, "trend-week")["rows"][0]["label"] == "week of 03-02"


def test_report_drafts_are_written_in_the_site_language_whoever_asks(settings):
    """A report's draft goes through gettext (decision 0025) and is written in the site
    language even when an English reader asks for it."""
    from hotline.reports import documents

    rates = {k: [3, 4] for k in ("on_time_rate", "response_rate", "resolve_rate")}
    rates |= {"satisfy_rate": [1, 2]}
    unit = {"name": "市教育局", "group": "市直部门", "overdue": 2, "total": 97.5, "rank": 1}
    figures = {
        "scheme": "考评 第2版",
        "hotline": {"intake": 9, "answered_now": 3, "declined": 1, "visited": 4, "pleased": 3},
        "kinds": [{"key": "complaint", "count": 7}, {"key": "help", "count": 2}],
        "units": [{**unit, "rates": rates}],
    }
    span = selectors.Span(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    with translation.override("en"):
        title, body = documents.draft_text("monthly", span, figures)
    assert title == "12345热线月度通报（2026年11月01日至2026年11月30日）"
    assert body.split("\n\n") == [
        "2026年11月01日至2026年11月30日，12345热线共受理群众诉求9件，其中直接办结3件，"
        "不予受理1件；回访4件，满意及基本满意3件，满意率75.0%。",
        "按诉求类型：投诉7件、求助2件。",
        "按考评 第2版考核，各单位得分及排名如下：",
        "市直部门第1名 市教育局：得分97.5，按时办结率75.0%，响应率75.0%，解决率75.0%，"
        "满意率50.0%，办理单位满意率—，超期2件。",
        "存在超期办理的单位：市教育局（2件），请抓紧整改。",
    ]
    settings.LANGUAGE_CODE = "en"
    title, body = documents.draft_text("monthly", span, figures)
    assert title == "12345 hotline monthly circular (2026-11-01 to 2026-11-30)"
    assert body.endswith(
        "Units with overdue work: 市教育局 (2 overdue); please put it right promptly."
    )
