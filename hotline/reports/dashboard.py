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
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


def _chart(
    key: str, title: str, kind: str, rows: list[dict[str, Any]], unit: str | None = None
) -> dict:
    """rows: {label, value, link?}; the text names the largest values for screen readers.

    Titles, sentences and units are rendered in the active language (decision 0025);
    the unit is tickets unless the chart says otherwise."""
    top = sorted(rows, key=lambda r: -(r["value"] or 0))[:3]
    if rows:
        items = pgettext("list of chart values", ", ").join(
            f"{r['label']} {r['display']}" for r in top
        )
        if len(rows) > 3:
            items += _(", %(count)s items in all") % {"count": len(rows)}
        text = _("%(title)s: %(items)s") % {"title": title, "items": items}
    else:
        text = _("%(title)s: no data") % {"title": title}
    if unit is None:
        unit = pgettext("chart unit", "tickets")
    return {"key": key, "title": title, "type": kind, "rows": rows, "text": text, "unit": unit}


def _with_last_year(count: int, previous: int) -> str:
    return _("%(count)s (same period last year %(previous)s)") % {
        "count": count,
        "previous": previous,
    }


def _rows(series: list[dict], labels: dict, span: selectors.Span, param: str, **dims) -> list:
    return [
        {
            "label": str(labels.get(item["key"], item["key"] or _("Unclassified"))),
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
    for name, by_channel, by_kind, s in (
        ("today", _("Intake today by channel"), _("Intake today by kind"), today_span),
        (
            "month",
            _("Intake this month by channel"),
            _("Intake this month by kind"),
            selectors.month_span(day),
        ),
    ):
        charts.append(
            _chart(
                f"channel-{name}",
                by_channel,
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
                by_kind,
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
            "display": _with_last_year(item["count"], prior["count"]),
            "link": f"{reverse('reports:drill')}?"
            + urlencode({"from": item["key"], "to": item["key"], "metric": "intake", **dims}),
        }
        for item, prior in zip(trend, last_year + [{"count": 0}] * len(trend), strict=False)
    ]
    charts.append(
        _chart(
            "trend-day",
            _("Intake trend by day, compared with the same period last year"),
            "line",
            trend_rows,
        )
    )
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
            _("Intake trend by week, compared with the same period last year"),
            "line",
            [
                {
                    "label": _("week of %(day)s") % {"day": k[5:]},
                    "value": v[0],
                    "previous": v[1],
                    "display": _with_last_year(v[0], v[1]),
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
            _("Assessment scores by unit (%(scheme)s)") % {"scheme": result["version"].scheme.name}
            if result["version"]
            else _("Assessment scores by unit"),
            "bar",
            [
                {
                    "label": r["unit"].name,
                    "value": r["score"]["total"],
                    "display": _("%(score)s (%(group)s, rank %(rank)s)")
                    % {
                        "score": r["score"]["total"],
                        "group": selectors.rank_group_label(r["group"]),
                        "rank": r["rank"],
                    },
                    "link": _link(span, unit=r["code"], metric="received_lead", **dims),
                }
                for r in ranked
            ],
            unit=pgettext("chart unit", "points"),
        )
    )
    rate_rows = [
        {
            "unit": r["unit"],
            "code": r["code"],
            "rates": [r["rates"][k] for k in ("response_rate", "resolve_rate", "satisfy_rate")],
            "score": r["score"]["total"],
            "rank": r["rank"],
            "group": selectors.rank_group_label(r["group"]),
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
            _("Overdue and supervised, by unit"),
            "bar",
            [
                {
                    "label": r["unit"].name,
                    "value": r["counts"]["overdue"],
                    "display": _(
                        "overdue %(overdue)s, urged by leaders %(urged)s, supervision "
                        "letters %(letter)s, criticised %(criticised)s"
                    )
                    % r["counts"],
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
            _("Top ten topics of requests"),
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
            _("Top ten regions of requests"),
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
                "display": _("%(rate)s (%(numerator)s/%(denominator)s)")
                % {
                    "rate": ratio.display(),
                    "numerator": ratio.numerator,
                    "denominator": ratio.denominator,
                },
                "link": _link(selectors.Span(day, day), metric="visited"),
            }
        )
    return _chart("satisfaction", _("Satisfaction rate trend by visit day"), "line", out, unit="%")
