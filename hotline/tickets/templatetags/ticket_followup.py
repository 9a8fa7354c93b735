"""{% ticket_followup ticket as fu %}: the ticket page's contacts with the citizen
(R-UN-4), return visits with their scores and failed attempts (R-FB-2), and exclusion /
carry-over requests, read through selectors_followup (scoped to the user)."""

from django import template

from hotline.tickets.models import UnitRequest
from hotline.tickets.selectors_followup import contacts_for, unit_requests

register = template.Library()


@register.simple_tag(takes_context=True)
def ticket_followup(context, ticket):
    user = context["request"].user
    kinds = (UnitRequest.Kind.EXCLUSION, UnitRequest.Kind.CARRY_OVER)
    requests = [
        r
        for a in ticket.assignments.all()
        for r in unit_requests(user=user, assignment=a, kinds=kinds)
    ]
    return {
        "contacts": contacts_for(user=user, ticket=ticket),
        "visits": sorted(ticket.visits.all(), key=lambda v: (v.at, v.pk)),
        "requests": requests,
    }
