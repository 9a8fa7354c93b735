"""The pages above every app: home (each role to its section), the supervision,
statistics and administration sections, and /health/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from hotline.accounts.models import Role, User
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import can, home_section
from hotline.directory import selectors as directory
from hotline.directory.models import Unit, UnitKind


def home(request):
    """Each role lands on its own workbench section."""
    return redirect(f"section-{home_section(request.user)}")


def section(request, key: str):
    item = SECTION_BY_KEY.get(key)
    if item is None or key not in SECTION_CONTEXT:  # intake/dispatch/inbox/visits: workbench
        raise Http404
    if not can(request.user, item.capability):
        raise DjangoPermissionDenied(key)
    context = {"section": item, **SECTION_CONTEXT[key](request)}
    return render(request, f"site/sections/{key}.html", context)


KIND_ORDER = {kind: index for index, kind in enumerate(UnitKind.values)}


def _by_kind(units) -> list[Unit]:
    """Units in the order people read the directory: departments, towns, ..., communities."""
    return sorted(units, key=lambda u: (KIND_ORDER[u.kind], u.sort_order, u.code))


def _supervision(request):
    from datetime import timedelta

    from django.core.paginator import Paginator

    from hotline.sla.selectors import default_policy_version
    from hotline.supervision import ladder
    from hotline.supervision import selectors as board

    units = Unit.objects.active().exclude(kind__in=[UnitKind.GOVERNMENT, UnitKind.COMMUNITY])
    level, sort = request.GET.get("level", ""), request.GET.get("sort", "due")
    unit = request.GET.get("unit", "").strip()
    rows = board.warned(request.user, level=level, sort=sort, unit=unit)
    version = default_policy_version()
    rungs = version.as_policy().ladder if version else ()
    return {
        "ladder_units": _by_kind(units),
        "by_unit": board.by_unit(request.user),
        "page": Paginator(rows, 30).get_page(request.GET.get("page")),
        "level": level,
        "sort": sort,
        "unit": unit,
        "unit_name": Unit.objects.filter(code=unit).values_list("name", flat=True).first() or "",
        "ladder_policy": version,
        "ladder": [
            {
                "rung": rung,
                "wait": rung.wait.describe(),
                "to": [ladder.CONTACT_LABELS[c] for c in rung.to],
            }
            for rung in rungs
        ],
        "documents": board.recent_documents(request.user, limit=8),
        "follow_ups": board.follow_ups_due(until=directory.today() + timedelta(days=7))[:8],
        "center": ladder.hotline_unit(),
    }


def _reports(request):
    from hotline.core.replica import reading_replica
    from hotline.reports.views import dashboard_context  # the leaders' dashboard (R-DA-3)

    counts = directory.unit_kind_counts()
    with reading_replica():  # from the read replica, if there is one
        dashboard = dashboard_context(request)
    return {
        "kind_counts": [(label, counts.get(value, 0)) for value, label in UnitKind.choices],
        **dashboard,
    }


def _manage(request):
    role_counts = {r: 0 for r in Role.values}
    for role in User.objects.filter(is_active=True).values_list("role", flat=True):
        role_counts[role] = role_counts.get(role, 0) + 1
    return {
        "role_counts": [(label, role_counts.get(value, 0)) for value, label in Role.choices],
        "unit_count": Unit.objects.count(),
    }


SECTION_CONTEXT = {
    "supervision": _supervision,
    "reports": _reports,
    "manage": _manage,
}


@login_not_required
@never_cache
def health(request):
    """For load balancers and administrators: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # the point is to report, not to crash
        database = "unavailable"
    status = 200 if database == "ok" else 503
    payload: dict = {"status": "ok" if status == 200 else "error", "database": database}
    if database == "ok":
        payload["tick"] = _tick_status()
    return JsonResponse(payload, status=status)


def _tick_status() -> dict:
    """When `hotline tick` last finished a pass: a stopped tick shows as a growing age."""
    from hotline.core import clock
    from hotline.core.models import Heartbeat

    beat = Heartbeat.objects.filter(name="tick").first()
    if beat is None:
        return {"last_run_at": None, "age_seconds": None}
    age = int((clock.now() - beat.last_run_at).total_seconds())
    return {"last_run_at": beat.last_run_at.isoformat(), "age_seconds": age}
