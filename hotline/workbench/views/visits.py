"""回访 return visits: completed tickets, oldest first; record the visit, order a redo or a
screening, or note a failed call; each button declared below (decision 0023)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hotline.accounts.decorators import capability_required
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import Capability
from hotline.core import clock
from hotline.tickets import services as s
from hotline.tickets.models import Ticket, Visit
from hotline.tickets.selectors import citizen_for
from hotline.tickets.states import Status
from hotline.workbench import forms as f
from hotline.workbench import queues
from hotline.workbench.views.buttons import Button, buttons, handle_post, here, page_of, show_page
from hotline.workbench.views.followup import VISIT_FAIL, VisitFailForm


def _visit_record(user, ticket: Ticket, data: dict, _post) -> Visit:
    return s.visit_record(
        actor=user,
        ticket=ticket,
        satisfaction=data["satisfaction"],
        resolved=data["resolved"] == "1",
        channel=data["channel"],
        note=data["note"],
        unit_satisfaction=data["unit_satisfaction"],
        operator_satisfaction=data["operator_satisfaction"],
    )


def _visit_recorded(ticket: Ticket, _data, visit: Visit) -> str:
    if visit.satisfaction == Visit.Satisfaction.UNSATISFIED:
        return _(
            "Return visit of ticket %(number)s recorded: unsatisfied. Order a redo or a screening."
        ) % {"number": ticket.number}
    return _("Return visit of ticket %(number)s recorded: %(satisfaction)s; closed.") % {
        "number": ticket.number,
        "satisfaction": visit.get_satisfaction_display(),
    }


def _after_visit(request: HttpRequest, ticket: Ticket, _visit) -> HttpResponse:
    """An unsatisfied visit leaves the ticket completed and open here for redo or screening."""
    ticket.refresh_from_db()
    if ticket.status == Status.COMPLETED:
        return redirect(here(request))
    return redirect(here(request, "ticket"))


def _posted_ticket(request: HttpRequest) -> Ticket | None:
    number = request.POST.get("ticket", "")
    return queues.visit_queue(request.user).filter(number=number).first()


def _reason_form(name: str):
    return lambda _t, request: f.ReasonForm(request.POST, prefix=name)


BUTTONS = buttons(
    Button(
        "visit",
        form=lambda _t, request: f.VisitForm(request.POST),
        service=_visit_record,
        done=_visit_recorded,
        then=_after_visit,
    ),
    Button(
        "redo",
        form=_reason_form("redo"),
        service=lambda user, ticket, data, _post: s.ticket_redo(
            actor=user, ticket=ticket, reason=data["reason"]
        ),
        done=lambda ticket, _data, _result: (
            _("Redo of ticket %(number)s ordered; back to the lead unit.")
            % {"number": ticket.number}
        ),
        drop=("ticket",),
    ),
    Button(
        "screen",
        form=_reason_form("screen"),
        service=lambda user, ticket, data, _post: s.ticket_screen(
            actor=user, ticket=ticket, reason=data["reason"]
        ),
        done=lambda ticket, _data, _result: (
            _("Ticket %(number)s ruled validly completed and closed.") % {"number": ticket.number}
        ),
        drop=("ticket",),
    ),
    VISIT_FAIL,
)


@capability_required(Capability.VISIT)
def visits(request: HttpRequest) -> HttpResponse:
    """回访: completed tickets, oldest first; record the visit, or order redo / screening."""
    bound: dict = {}
    status = handle_post(request, BUTTONS, bound, find=_posted_ticket)
    if isinstance(status, HttpResponse):
        return status
    sort = request.GET.get("sort", "due")
    queue = queues.visit_queue(request.user, sort)
    page = page_of(request, queues.by_urgency(queue, request.GET.get("urgency", "")))
    context: dict[str, Any] = {
        "sort": sort,
        "now": clock.now(),
        "section": SECTION_BY_KEY["visits"],
        "page": page,
        "total": page.paginator.count,
    }
    number = request.POST.get("ticket") or request.GET.get("ticket", "")
    if number:
        ticket = queue.filter(number=number).first()
        if ticket is not None:
            lead = ticket.lead
            reply = ticket.approved_reply()
            context.update(
                ticket=ticket,
                citizen=citizen_for(request.user, ticket),
                lead=lead,
                reply=reply,
                earlier=list(ticket.visits.all()),
                form=bound.get("visit") or f.VisitForm(),
                redo_form=bound.get("redo") or f.ReasonForm(prefix="redo"),
                screen_form=bound.get("screen") or f.ReasonForm(prefix="screen"),
                fail_form=bound.get("visit_fail") or VisitFailForm(prefix="fail"),
            )
    return show_page(
        request, "workbench/visits.html", "workbench/_visits_workspace.html", context, status
    )
