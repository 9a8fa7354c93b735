"""The leaders' dashboard as data (R-DA-3): each chart is a title, labels, values, a link
per bar to the tickets behind it, and an accessible sentence; the page draws it with
ECharts and prints the same numbers as a table beside it."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse

from hotline.core.errors import NotFound
from hotline.directory.models import Topic, Unit
from hotline.directory.selectors import today
from hotline.reports import documents, selectors
from hotline.reports import indicators as ind
from hotline.reports.models import UnitDay
from hotline.tickets.models import TicketChannel


def _link(span: selectors.Span, **params: Any) -> str:
    query = {"from": span.start.isoformat(), "to": span.end.isoformat()}
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('reports:drill')}?{urlencode(query)}"


def _chart(key: str, title: str, kind: str, rows: list[dict[str, Any]], unit: str = "件") -> dict:
    """rows: {label, value, link?}; the text names the largest values for screen readers."""
    top = sorted(rows, key=lambda r: -(r["value"] or 0))[:3]
    if rows:
        text = f"{title}：" + "，".join(f"{r['label']} {r['display']}" for r in top)
        if len(rows) > 3:
            text += f"，等 {len(rows)} 项"
    else:
        text = f"{title}：无数据"
    return {"key": key, "title": title, "type": kind, "rows": rows, "text": text, "unit": unit}


def _rows(series: list[dict], labels: dict, span: selectors.Span, param: str, **dims) -> list:
    return [
        {
            "label": str(labels.get(item["key"], item["key"] or "未分类")),
            "value": item["count"],
            "display": str(item["count"]),
            "link": _link(span, metric="intake", **{**dims, param: item["key"]}),
        }
        for item in series
    ]


def build(span: selectors.Span, *, filters: dict[str, str], unit_code: str = "") -> dict:
    dims = {k: v for k, v in filters.items() if v}
    channel_labels = dict(TicketChannel.choices)
    kind_labels = dict(documents.ind_kind_labels())
    day = today()
    today_span = selectors.Span(day, day)
    charts = []
    for name, label, s in (
        ("today", "今日", today_span),
        ("month", "本月", selectors.month_span(day)),
    ):
        charts.append(
            _chart(
                f"channel-{name}",
                f"{label}受理量（按渠道）",
                "bar",
                _rows(
                    selectors.intake_series(s, "channel", **dims),
                    channel_labels,
                    s,
                    "channel",
                    **dims,
                ),
            )
        )
        charts.append(
            _chart(
                f"kind-{name}",
                f"{label}受理量（按类型）",
                "bar",
                _rows(selectors.intake_series(s, "kind", **dims), kind_labels, s, "kind", **dims),
            )
        )
    trend = selectors.intake_series(span, "day", **dims)
    last_year = selectors.intake_series(span.last_year(), "day", **dims)
    trend_rows = [
        {
            "label": item["key"][5:],
            "value": item["count"],
            "previous": prior["count"],
            "display": f"{item['count']}（去年同期 {prior['count']}）",
            "link": f"{reverse('reports:drill')}?"
            + urlencode({"from": item["key"], "to": item["key"], "metric": "intake", **dims}),
        }
        for item, prior in zip(trend, last_year + [{"count": 0}] * len(trend), strict=False)
    ]
    charts.append(_chart("trend-day", "受理量趋势（按日，与去年同期比较）", "line", trend_rows))
    weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for index, item in enumerate(trend):
        monday = span.start + timedelta(days=index)
        monday -= timedelta(days=monday.weekday())
        weeks[monday.isoformat()][0] += item["count"]
        if index < len(last_year):
            weeks[monday.isoformat()][1] += last_year[index]["count"]
    charts.append(
        _chart(
            "trend-week",
            "受理量趋势（按周，与去年同期比较）",
            "line",
            [
                {
                    "label": f"{k[5:]}周",
                    "value": v[0],
                    "previous": v[1],
                    "display": f"{v[0]}（去年同期 {v[1]}）",
                }
                for k, v in sorted(weeks.items())
            ],
        )
    )
    try:
        result = selectors.assessment(span)
    except NotFound:  # no assessment scheme installed yet: intake charts only
        result = {"rows": [], "version": None}
    ranked = [r for r in result["rows"] if r["score"]["total"] is not None]
    if unit_code:
        ranked = [r for r in ranked if r["code"] == unit_code]
    ranked.sort(key=lambda r: -r["score"]["total"])
    charts.append(
        _chart(
            "score",
            "各单位考核得分"
            + (f"（{result['version'].scheme.name}）" if result["version"] else ""),
            "bar",
            [
                {
                    "label": r["unit"].name,
                    "value": r["score"]["total"],
                    "display": f"{r['score']['total']}"
                    f"（{selectors.RANK_GROUP_LABELS.get(r['group'], '')}第{r['rank']}名）",
                    "link": _link(span, unit=r["code"], metric="received_lead", **dims),
                }
                for r in ranked
            ],
            unit="分",
        )
    )
    rate_rows = [
        {
            "unit": r["unit"],
            "code": r["code"],
            "rates": [r["rates"][k] for k in ("response_rate", "resolve_rate", "satisfy_rate")],
            "score": r["score"]["total"],
            "rank": r["rank"],
            "group": selectors.RANK_GROUP_LABELS.get(r["group"], ""),
        }
        for r in ranked
    ]
    late = sorted(
        (
            r
            for r in result["rows"]
            if r["counts"]["overdue"]
            or r["counts"]["urged"]
            or r["counts"]["letter"]
            or r["counts"]["criticised"]
        ),
        key=lambda r: -(r["counts"]["overdue"] * 10 + r["counts"]["letter"]),
    )
    charts.append(
        _chart(
            "overdue",
            "超期及督办（按单位）",
            "bar",
            [
                {
                    "label": r["unit"].name,
                    "value": r["counts"]["overdue"],
                    "display": f"超期{r['counts']['overdue']}，领导督办{r['counts']['urged']}，"
                    f"督办函{r['counts']['letter']}，通报{r['counts']['criticised']}",
                    "link": _link(span, unit=r["code"], metric="overdue"),
                }
                for r in late
            ],
        )
    )
    topics = selectors.intake_series(span, "topic", **dims)[:10]
    names = dict(
        Topic.objects.filter(pk__in=[t["key"] for t in topics if t["key"]]).values_list(
            "pk", "name"
        )
    )
    charts.append(
        _chart(
            "topics",
            "热点诉求（按分类，前十）",
            "bar",
            _rows(topics, names, span, "topic_id", **dims),
        )
    )
    regions = selectors.intake_series(span, "region", **dims)[:10]
    region_names = dict(
        Unit.objects.filter(pk__in=[t["key"] for t in regions if t["key"]]).values_list(
            "pk", "name"
        )
    )
    charts.append(
        _chart(
            "regions",
            "诉求热点区域（前十）",
            "bar",
            _rows(regions, region_names, span, "region_id", **dims),
        )
    )
    charts.append(_satisfaction(span))
    return {"span": span, "charts": charts, "rate_rows": rate_rows, "scheme": result["version"]}


def _satisfaction(span: selectors.Span) -> dict:
    rows = (
        UnitDay.objects.filter(
            day__gte=span.start,
            day__lte=span.end,
            unit__isnull=False,
            metric__in=["visited", "satisfied", "basic"],
        )
        .values_list("day", "metric")
        .annotate(t=Sum("n"))
        .order_by()
    )
    by_day: dict = defaultdict(dict)
    for day, metric, total in rows:
        by_day[day][metric] = total
    out = []
    for offset in range(span.days):
        day = span.start + timedelta(days=offset)
        c = by_day.get(day, {})
        ratio = ind.Ratio(c.get("satisfied", 0) + c.get("basic", 0), c.get("visited", 0))
        out.append(
            {
                "label": day.isoformat()[5:],
                "value": None if ratio.value is None else round(ratio.value * 100, 1),
                "display": f"{ratio.display()}（{ratio.numerator}/{ratio.denominator}）",
                "link": _link(selectors.Span(day, day), metric="visited"),
            }
        )
    return _chart("satisfaction", "满意率趋势（按回访日）", "line", out, unit="%")
