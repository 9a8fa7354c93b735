"""Ticket pages: a scoped, searchable list and the whole file of one ticket."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from hotline.accounts.permissions import Capability, can
from hotline.core.views import capability_required
from hotline.tickets import deadlines, selectors
from hotline.tickets.models import Ticket
from hotline.tickets.states import Status
from hotline.workbench.actions import actions_for

PAGE_SIZE = 50


@capability_required(Capability.VIEW_POLICIES)  # every member of staff
def ticket_list(request):
    tickets = Ticket.objects.visible_to(request.user).select_related("citizen")
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if query:
        if (
            query.isdigit()
            and len(query) >= 11
            and can(request.user, Capability.VIEW_PERSONAL_DATA)
        ):
            tickets = tickets.filter(citizen__phone=query) | tickets.filter(number=query)
        else:
            tickets = tickets.filter(summary__icontains=query) | tickets.filter(number=query)
    if status in Status.values:
        tickets = tickets.filter(status=status)
    page = Paginator(tickets.order_by("-received_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "statuses": Status.choices,
        },
    )


@capability_required(Capability.VIEW_POLICIES)
def ticket_detail(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    if ticket is None:
        raise Http404
    parts = []
    for assignment in ticket.assignments.all():
        explained = (
            deadlines.assignment_deadlines(ticket, assignment) if assignment.active else None
        )
        parts.append({"assignment": assignment, "deadlines": explained})
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "citizen": selectors.citizen_for(request.user, ticket),
            "parts": parts,
            "events": ticket.events.all(),
            "visits": ticket.visits.all(),
            "files": selectors.attachments_for(request.user, ticket),
            "ticket_actions": actions_for(request.user, ticket),
        },
    )


@capability_required(Capability.VIEW_POLICIES)
def attachment_download(request, number: str, pk: int):
    ticket = Ticket.objects.visible_to(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    files = selectors.attachments_for(request.user, ticket)
    found = next((f for f in files if f.pk == pk), None)
    if found is None:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
