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
