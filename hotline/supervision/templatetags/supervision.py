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


@register.filter
def overdue_for(due) -> str:
    """How long past its deadline: "已超期 3 天", under a day "已超期 5 小时"; "" when not
    overdue (issue 15 item 14: the board shows the days overdue)."""
    from django.utils.translation import gettext, ngettext

    from hotline.core import clock
    from hotline.supervision.overdue import days_overdue

    now = clock.now()
    if due is None or due >= now:
        return ""
    days = days_overdue(due, now)
    if days:
        return ngettext("%(n)s day overdue", "%(n)s days overdue", days) % {"n": days}
    hours = max(1, int((now - due).total_seconds() // 3600))
    return gettext("%(n)s h overdue") % {"n": hours}
