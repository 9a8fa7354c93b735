"""Every read of the reports app: periods, counts per unit from the unit × day totals,
scores and rankings per unit kind, the tickets behind a number (through `visible_to`),
and the intake series of the dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import UNIT_ROLES
from hotline.core.errors import DomainError, NotFound
from hotline.directory.models import Unit, UnitKind
from hotline.reports import indicators as ind
from hotline.reports.models import DayDimension, Fact, Period, Scheme, SchemeVersion, UnitDay
from hotline.reports.schemes import Scheme as PureScheme

# Periods live in reports.spans; still importable from here.
from hotline.reports.spans import MAX_DAYS, Span, month_span, parse_span  # noqa: F401
from hotline.tickets.models import Ticket

# Units are ranked among their own kind (R-AS-2): departments, districts and towns, utilities.
RANK_GROUPS: dict[str, tuple[str, ...]] = {
    "department": (UnitKind.DEPARTMENT,),
    "local": (UnitKind.DISTRICT, UnitKind.TOWN),
    "utility": (UnitKind.UTILITY,),
}
RANK_GROUP_LABELS = {
    "department": _("City departments"),
    "local": _("Districts and towns"),
    "utility": _("Public utilities"),
}


def rank_group_label(group: str) -> str:
    """The group's name in the interface language ("" for a unit outside the ranking)."""
    return str(RANK_GROUP_LABELS.get(group, ""))


DIMENSIONS = ("kind", "channel", "topic_id", "region_id")


def assessed_units(unit_code: str | None = None) -> list[Unit]:
    kinds = [k for group in RANK_GROUPS.values() for k in group]
    units = Unit.objects.active().filter(kind__in=kinds).order_by("sort_order", "code")
    if unit_code:
        found = list(Unit.objects.filter(code=unit_code))
        if not found:
            raise NotFound(
                gettext("No unit has the code %(code)s") % {"code": unit_code}, code="unknown_unit"
            )
        return found
    return list(units)


def rank_group(unit: Unit) -> str:
    return next((g for g, kinds in RANK_GROUPS.items() if unit.kind in kinds), "other")


def scheme_version(code: str | None = None) -> SchemeVersion:
    schemes = Scheme.objects.all()
    scheme = (
        schemes.filter(code=code).first()
        if code
        else (schemes.filter(is_default=True).first() or schemes.first())
    )
    if scheme is None:
        raise NotFound(
            gettext("No assessment scheme has the code %(code)s") % {"code": code}
            if code
            else gettext("No assessment scheme has been set up yet"),
            code="unknown_scheme",
        )
    version = scheme.versions.order_by("-number").first()
    if version is None:
        raise NotFound(gettext("The assessment scheme has no version"), code="unknown_scheme")
    return version


def unit_counts(span: Span, units: list[Unit] | None = None) -> dict[int | None, dict[str, int]]:
    """Counts per unit over the period, summed from the unit × day totals."""
    rows = UnitDay.objects.filter(day__gte=span.start, day__lte=span.end)
    if units is not None:
        rows = rows.filter(unit_id__in=[u.pk for u in units])
    out: dict[int | None, dict[str, int]] = defaultdict(dict)
    for unit_id, metric, total in (
        rows.values_list("unit_id", "metric").annotate(total=Sum("n")).order_by()
    ):
        out[unit_id][metric] = total
    return out


def unit_counts_from_events(span: Span, units: list[Unit]) -> dict[int | None, dict[str, int]]:
    """The same counts straight from the events (no stored facts): the baseline of
    bench/reports.py and the check of the property test."""
    from django.utils import timezone

    from hotline.reports.aggregate import load

    wanted = {u.pk for u in units}
    # A ticket contributes to a period only through its events, assignments and
    # deadlines; those of tickets received up to a year before the period are read.
    ids = list(
        Ticket.objects.filter(
            received_at__gte=datetime.combine(
                span.start - timedelta(days=366), datetime.min.time(), ind.LOCAL
            ),
            received_at__lt=datetime.combine(
                span.end + timedelta(days=1), datetime.min.time(), ind.LOCAL
            ),
        ).values_list("pk", flat=True)
    )
    out: dict[int | None, dict[str, int]] = defaultdict(dict)
    now = timezone.now()
    from hotline.core import clock

    now = clock.now()
    for start in range(0, len(ids), 2000):
        for _dims, data in load(ids[start : start + 2000]):
            for unit, day, metric in ind.ticket_facts(data, now):
                if unit in wanted and span.start <= day <= span.end:
                    out[unit][metric] = out[unit].get(metric, 0) + 1
    return out


def _row(unit: Unit, counts: dict[str, int], scheme: PureScheme, manual: dict) -> dict[str, Any]:
    c = ind.counts_with_derived(counts)
    rates = ind.rates(c)
    sat = ind.satisfaction_score(c, scheme.points)
    unit_sat = ind.satisfaction_score(c, scheme.points, key="unit_score")
    return {
        "unit": unit,
        "code": unit.code,
        "group": rank_group(unit),
        "counts": c,
        "rates": rates,
        "satisfaction_score": sat,
        "unit_satisfaction_score": unit_sat,
        "score": scheme.score(c, manual.get(unit.pk, {})),
    }


def _rank(rows: list[dict[str, Any]]) -> None:
    """Rank within each unit kind by total score; equal scores share a rank; a unit
    with nothing to assess has no rank."""
    by_group: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_group[row["group"]].append(row)
    for group in by_group.values():
        scored = sorted(
            (r for r in group if r["score"]["total"] is not None),
            key=lambda r: -r["score"]["total"],
        )
        rank, last = 0, None
        for index, row in enumerate(scored, 1):
            if row["score"]["total"] != last:
                rank, last = index, row["score"]["total"]
            row["rank"] = rank
        for row in group:
            row.setdefault("rank", None)


def manual_scores(span: Span) -> dict[int, dict[str, float]]:
    period = Period.objects.filter(start=span.start, end=span.end).first()
    out: dict[int, dict[str, float]] = defaultdict(dict)
    if period is not None:
        for unit_id, item, score in period.manual_scores.values_list("unit_id", "item", "score"):
            out[unit_id][item] = score
    return out


def assessment(
    span: Span, *, unit_code: str | None = None, scheme_code: str | None = None
) -> dict[str, Any]:
    """Every unit's counts, rates, score and rank for the period, with the change of
    score and rank against the previous period (R-AS-2). A published period is scored
    with the scheme version it was published under."""
    published = Period.objects.filter(start=span.start, end=span.end).first()
    if published is not None and not scheme_code:
        version = published.scheme_version
    else:
        version = scheme_version(scheme_code)
    scheme = version.as_scheme()
    units = assessed_units()
    if published is not None and published.published_at and not scheme_code:
        stored = _published_rows(published, units, scheme)
        if stored is not None:
            if unit_code:
                wanted = assessed_units(unit_code)[0]
                stored = [r for r in stored if r["unit"].pk == wanted.pk]
            return {
                "span": span,
                "version": version,
                "scheme": scheme,
                "rows": stored,
                "period": published,
            }
    rows = _rows(span, units, scheme)
    before = {r["unit"].pk: r for r in _rows(span.previous(), units, scheme)}
    for row in rows:
        prev = before.get(row["unit"].pk)
        total, prev_total = row["score"]["total"], prev and prev["score"]["total"]
        row["change"] = (
            None if total is None or prev_total is None else round(total - prev_total, 2)
        )
        row["previous_rank"] = prev["rank"] if prev else None
    if unit_code:
        wanted = assessed_units(unit_code)[0]
        rows = [r for r in rows if r["unit"].pk == wanted.pk]
    return {"span": span, "version": version, "scheme": scheme, "rows": rows, "period": published}


def _published_rows(
    period: Period, units: list[Unit], scheme: PureScheme
) -> list[dict[str, Any]] | None:
    """A published period's rows as it was published (decision 0008): its counts, score
    and rank are fixed; None for a period published before counts were kept."""
    stored = period.result.get("rows", [])
    if not stored or any("counts" not in r for r in stored):
        return None
    by_code = {u.code: u for u in units}
    rows = []
    for r in stored:
        unit = by_code.get(r["code"])
        if unit is None:  # a unit closed since: its row stays in the public result
            continue
        c = ind.counts_with_derived(r["counts"])
        rows.append(
            {
                "unit": unit,
                "code": unit.code,
                "group": r["group"],
                "counts": c,
                "rates": ind.rates(c),
                "satisfaction_score": ind.satisfaction_score(c, scheme.points),
                "unit_satisfaction_score": ind.satisfaction_score(
                    c, scheme.points, key="unit_score"
                ),
                "score": r["score"],
                "rank": r["rank"],
                "change": r.get("change"),
                "previous_rank": r.get("previous_rank"),
            }
        )
    return rows


def _rows(span: Span, units: list[Unit], scheme: PureScheme) -> list[dict[str, Any]]:
    counts = unit_counts(span, units)
    manual = manual_scores(span)
    rows = [_row(u, counts.get(u.pk, {}), scheme, manual) for u in units]
    _rank(rows)
    return rows


def sees_all(user) -> bool:
    return getattr(user, "role", None) not in UNIT_ROLES


def visible_rows(user, rows: list[dict[str, Any]], *, published: bool) -> list[dict[str, Any]]:
    """The hotline sees every unit; a unit its own row, and the others only once the
    period's ranking is published (R-AS-2)."""
    if sees_all(user) or published:
        return rows
    return [r for r in rows if r["unit"].pk == user.unit_id]


def tickets_behind(user, *, unit: Unit | None, metric: str, span: Span, **dims: Any):
    """The tickets behind one number, scoped to what the user may see (design rule 5)."""
    if metric not in ind.METRIC_BY_KEY and metric not in ind.DERIVED:
        raise DomainError(gettext("Unknown indicator"), code="unknown_metric")
    metrics = list(ind.DERIVED.get(metric, (metric,)))
    facts = Fact.objects.filter(metric__in=metrics, day__gte=span.start, day__lte=span.end)
    facts = facts.filter(unit=unit) if unit is not None else facts.filter(unit__isnull=True)
    for name, value in dims.items():
        if name in DIMENSIONS and value not in (None, ""):
            facts = facts.filter(**{name: value})
    return (
        Ticket.objects.visible_to(user)
        .filter(pk__in=facts.values("ticket_id"))
        .select_related("topic")
        .order_by("-received_at")
    )


COLUMNS = {
    "day": "day",
    "kind": "kind",
    "channel": "channel",
    "topic": "topic_id",
    "region": "region_id",
    "unit": "unit_id",
}


def _every_day(span: Span, have: dict[str, int]) -> list[dict[str, Any]]:
    days = (span.start + timedelta(days=i) for i in range(span.days))
    return [{"key": d.isoformat(), "count": have.get(d.isoformat(), 0)} for d in days]


def intake_series(span: Span, by: str, **dims: Any) -> list[dict[str, Any]]:
    """Intake counts grouped by day, kind, channel, topic, unit (lead assignments
    received) or region (R-DA-3); the unfiltered daily series from the unit × day totals."""
    column = COLUMNS.get(by)
    if column is None:
        raise DomainError(
            gettext("by must be day, kind, channel, topic, unit or region"), code="bad_by"
        )
    filters = {k: v for k, v in dims.items() if k in DIMENSIONS and v not in (None, "")}
    if by == "day" and not filters:
        rows = UnitDay.objects.filter(
            unit__isnull=True, metric="intake", day__gte=span.start, day__lte=span.end
        ).values_list("day", "n")
        return _every_day(span, {d.isoformat(): n for d, n in rows})
    if column in DIMENSIONS and not filters:  # the dashboard's default: a few rows
        totals = (
            DayDimension.objects.filter(dimension=column, day__gte=span.start, day__lte=span.end)
            .values_list("value")
            .annotate(count=Sum("n"))
            .order_by("-count", "value")
        )
        ints = column.endswith("_id")
        return [{"key": (int(v) if v else None) if ints else v, "count": n} for v, n in totals]
    metric = "received_lead" if by == "unit" else "intake"
    facts = Fact.objects.filter(metric=metric, day__gte=span.start, day__lte=span.end, **filters)
    counted = facts.values(column).annotate(count=Count("id")).order_by("-count", column)
    out = []
    for row in counted:
        key = row[column]
        out.append(
            {"key": key.isoformat() if isinstance(key, date) else key, "count": row["count"]}
        )
    if by == "day":
        return _every_day(span, {r["key"]: r["count"] for r in out})
    return out


def hotline_figures(span: Span) -> dict[str, int]:
    counts = unit_counts(span, None).get(None, {})
    visited = UnitDay.objects.filter(
        day__gte=span.start, day__lte=span.end, unit__isnull=False
    ).filter(Q(metric="visited") | Q(metric="satisfied") | Q(metric="basic"))
    sums = dict(visited.values_list("metric").annotate(t=Sum("n")).order_by())
    return {
        "intake": counts.get("intake", 0),
        "answered_now": counts.get("answered_now", 0),
        "declined": counts.get("declined", 0),
        "visited": sums.get("visited", 0),
        "pleased": sums.get("satisfied", 0) + sums.get("basic", 0),
    }


def bulletin_ranking(month: date) -> list[dict[str, Any]]:
    """The month's rates, score and rank per unit for the monthly bulletin (R-SV-6)."""
    if not SchemeVersion.objects.exists():
        return []
    result = assessment(month_span(month))
    rows = [r for r in result["rows"] if r["rank"] is not None]
    rows.sort(key=lambda r: (list(RANK_GROUPS).index(r["group"]), r["rank"]))
    return [
        {
            "unit": r["unit"].name,
            "group": rank_group_label(r["group"]),
            "rates": [(rate.label, r["rates"][rate.key]) for rate in ind.RATES],
            "score": r["score"]["total"],
            "rank": r["rank"],
        }
        for r in rows
    ]
