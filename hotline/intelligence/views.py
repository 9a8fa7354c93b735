"""The analysts' hotspot page (R-DA-3, R-DA-4): thin, the work is in `selectors`."""

from __future__ import annotations

from django.shortcuts import render

from hotline.accounts.permissions import Capability
from hotline.core.views import capability_required
from hotline.intelligence import selectors

DAY_CHOICES = (30, 90, 180, 365)


@capability_required(Capability.REPORTS)
def hotspots(request):
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    if days not in DAY_CHOICES:
        days = 90
    found = selectors.ticket_hotspots(user=request.user, days=days)
    return render(
        request,
        "intelligence/hotspots.html",
        {"hotspots": found, "days": days, "day_choices": DAY_CHOICES},
    )


@capability_required(Capability.SUPERVISE, Capability.REPORTS)
def kind_review(request):
    """质检: tickets whose recorded kind disagrees with their text, with the reason."""
    found = selectors.kind_review(user=request.user)
    return render(request, "intelligence/kind_review.html", {"found": found})
