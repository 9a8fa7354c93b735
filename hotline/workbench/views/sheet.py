"""交办单: the printable assignment sheet of one unit's part."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability
from hotline.core.access import access
from hotline.tickets import deadlines
from hotline.tickets.models import Assignment
from hotline.tickets.selectors import citizen_for


@capability_required(Capability.VIEW_POLICIES)
@capability_required(Capability.HANDLE, Capability.DISPATCH)
def assignment_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """交办单: the printable assignment sheet of one unit's part."""
    user = request.user
    assignment = access(
        Assignment.objects.visible_to(user).select_related(
            "ticket__citizen", "ticket__policy_version", "unit", "parent__unit"
        ),
        pk=pk,
    )
    ticket = assignment.ticket
    explained = deadlines.assignment_deadlines(ticket, assignment) if assignment.active else None
    dispatched = ticket.events.filter(kind="dispatched").select_related("actor").last()
    return render(
        request,
        "workbench/sheet.html",
        {
            "a": assignment,
            "ticket": ticket,
            "citizen": citizen_for(user, ticket),
            "deadlines": explained,
            "dispatched": dispatched,
            "others": ticket.assignments.filter(active=True)
            .exclude(pk=assignment.pk)
            .select_related("unit"),
        },
    )
