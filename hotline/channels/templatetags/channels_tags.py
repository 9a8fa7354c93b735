"""Small pieces of the channels app shown on other apps' pages, each one line there."""

from __future__ import annotations

from django import template

from hotline.accounts.permissions import Capability, can
from hotline.channels import selectors
from hotline.channels.models import OnlineRequest

register = template.Library()


@register.inclusion_tag("channels/_nav_link.html", takes_context=True)
def online_queue_link(context) -> dict:
    """The operators' link to the online queue in the top bar, with the waiting count."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can(user, Capability.INTAKE):
        return {"show": False}
    waiting = OnlineRequest.objects.filter(state=OnlineRequest.State.PENDING).count()
    return {"show": True, "waiting": waiting, "request": request}


@register.inclusion_tag("channels/_late_online.html", takes_context=True)
def late_online_requests(context) -> dict:
    """Online requests past their review deadline, on the supervisor board (R-IN-1)."""
    request = context.get("request")
    rows = selectors.late_requests(request.user) if request else OnlineRequest.objects.none()
    return {"late": list(rows[:20]), "late_count": rows.count()}


@register.inclusion_tag("channels/_transfer_panel.html", takes_context=True)
def transfer_panel(context, ticket) -> dict:
    """On the ticket page: its transfers to and from partner hotlines, and the form to
    transfer it out (ZS 24) for operators and dispatchers when partners are configured."""
    from hotline.channels.models import Partner, Transfer

    request = context.get("request")
    user = getattr(request, "user", None)
    may = user is not None and (can(user, Capability.INTAKE) or can(user, Capability.DISPATCH))
    transfers = list(Transfer.objects.filter(ticket=ticket).select_related("partner")) + list(
        Transfer.objects.filter(request__ticket=ticket).select_related("partner")
    )
    partners = list(Partner.objects.filter(active=True)) if may else []
    return {
        "ticket": ticket,
        "transfers": transfers,
        "partners": partners,
        "csrf_token": context.get("csrf_token"),
    }
