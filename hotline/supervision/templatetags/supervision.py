from __future__ import annotations

from typing import Any

from django import template

from hotline.accounts.permissions import Capability, can
from hotline.supervision import selectors

register = template.Library()


@register.filter
def may(user, capability: str) -> bool:
    """{% if user|may:"supervise" %}: the capability check of accounts.permissions."""
    try:
        return can(user, Capability(capability))
    except ValueError:
        return False


@register.simple_tag(takes_context=True)
def ticket_supervision(context, ticket) -> dict[str, Any]:
    """Documents, ladder rungs and meetings of a ticket, as the viewer may see them."""
    return selectors.ticket_supervision(context["request"].user, ticket)
