"""GET /api/assessment and GET /api/stats/intake (R-AS-2, R-DA-3): the same numbers as the
pages, from the same selectors. Bad input → {"error": {"code", "message"}}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from hotline.accounts.permissions import Capability, can
from hotline.core.errors import PermissionDenied
from hotline.reports import indicators as ind
from hotline.reports import selectors

router = Router(tags=["reports"])


def _ratio(ratio: ind.Ratio) -> dict[str, Any]:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "value": ratio.value}


def _staff(request: HttpRequest) -> None:
    if not can(request.user, Capability.VIEW_POLICIES):
        raise PermissionDenied(_("You may not view the statistics"))


@router.get("/assessment")
def assessment(request: HttpRequest, unit: str = "", scheme: str = "") -> dict[str, Any]:
    """Per unit: every count, every rate (numerator, denominator, value; value null when
    the denominator is 0), the satisfaction score, the score and the rank."""
    _staff(request)
    span = selectors.parse_span(request.GET.get("from"), request.GET.get("to"))
    result = selectors.assessment(span, unit_code=unit or None, scheme_code=scheme or None)
    published = bool(result["period"] and result["period"].published_at)
    rows = selectors.visible_rows(request.user, result["rows"], published=published)
    return {
        "from": span.start.isoformat(),
        "to": span.end.isoformat(),
        "scheme": {"code": result["version"].scheme.code, "version": result["version"].number},
        "published": published,
        "units": [
            {
                "code": row["code"],
                "name": row["unit"].name,
                "group": row["group"],
                "counts": {m.key: row["counts"][m.key] for m in ind.METRICS},
                "rates": {k: _ratio(r) for k, r in row["rates"].items()},
                "satisfaction_score": _ratio(row["satisfaction_score"]),
                "unit_satisfaction_score": _ratio(row["unit_satisfaction_score"]),
                "score": row["score"]["total"],
                "deductions": row["score"]["deductions"],
                "rank": row["rank"],
                "change": row["change"],
            }
            for row in rows
        ],
    }


@router.get("/stats/intake")
def intake(request: HttpRequest, by: str = "day") -> dict[str, Any]:
    """Intake counts per day, kind, channel, topic, unit or region (the dashboard's series)."""
    _staff(request)
    span = selectors.parse_span(request.GET.get("from"), request.GET.get("to"))
    dims = {k: request.GET.get(k, "") for k in selectors.DIMENSIONS}
    series = selectors.intake_series(span, by, **dims)
    return {"from": span.start.isoformat(), "to": span.end.isoformat(), "by": by, "series": series}
