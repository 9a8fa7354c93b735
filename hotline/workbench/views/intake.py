"""受理 intake: one form for one call, and the partials it asks for while the operator types."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hotline.accounts.decorators import capability_required
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import Capability, can
from hotline.core.errors import DomainError
from hotline.directory import selectors as directory
from hotline.intelligence.selectors import similar_tickets, suggest_units, topic_choices
from hotline.knowledge.services import entry_use_record
from hotline.tickets import deadlines
from hotline.tickets import services as s
from hotline.tickets.models import DECLINE_GUIDANCE, AbuseRecord, IntakeOutcome, Ticket
from hotline.tickets.selectors import abuse_summary, citizen_history
from hotline.tickets.states import OPEN
from hotline.workbench import forms as f
from hotline.workbench.views.buttons import Button, buttons, handle_post, local


def find_ticket(user, number: str) -> Ticket | None:
    """The visible ticket with this number; None when none was typed (a wrong one refuses)."""
    number = number.strip()
    if not number:
        return None
    ticket = Ticket.objects.visible_to(user).filter(number=number).first()
    if ticket is None:
        raise DomainError(_("No ticket with number %(number)s.") % {"number": number})
    return ticket


def _save(user, _row, data: dict, _post) -> Ticket:
    intake_outcome = data["handling"]
    related = find_ticket(user, data["related_to"])
    version = data.get("knowledge_version")
    if version and intake_outcome in (IntakeOutcome.ANSWER_NOW, IntakeOutcome.GUIDE):
        with transaction.atomic():  # the ticket and its knowledge link, or neither
            ticket = _create(user, data, intake_outcome, related)
            entry_use_record(actor=user, ticket=ticket, version_id=version)
        return ticket
    return _create(user, data, intake_outcome, related)


def _create(user, data: dict, intake_outcome: str, related) -> Ticket:
    return s.ticket_create(
        actor=user,
        phone=data["phone"],
        name=data["name"],
        channel=data["channel"],
        kind=data["kind"],
        summary=data["summary"],
        detail=data["detail"],
        address=data["address"],
        topic=data.get("topic"),
        urgency=data["urgency"],
        confidential=data["confidential"],
        intake_outcome=intake_outcome,
        answer=data["answer"]
        if intake_outcome in (IntakeOutcome.ANSWER_NOW, IntakeOutcome.GUIDE)
        else "",
        forward_to=data["forward_to"] if intake_outcome == IntakeOutcome.FORWARD else None,
        decline_reason=data["decline_reason"] if intake_outcome == IntakeOutcome.DECLINE else "",
        related_to=related,
    )


def _saved(_row, _data, ticket: Ticket) -> str:
    told = _("Ticket %(number)s saved: %(outcome)s.") % {
        "number": ticket.number,
        "outcome": ticket.get_intake_outcome_display(),
    }
    if ticket.intake_outcome == IntakeOutcome.DISPATCH:
        expected = deadlines.expected_reply_due(ticket)
        told += " " + (
            _("Tell the caller: a reply is expected by %(due)s.") % {"due": local(expected)}
            if expected
            else _("Tell the caller: the deadline is set by the dispatch catalog.")
        )
    return told


def _fresh_form(request: HttpRequest, _row, ticket: Ticket) -> HttpResponse:
    request.session["intake_saved"] = ticket.number  # the page clears its draft
    return redirect("section-intake")


BUTTONS = buttons(
    Button(
        "save",
        form=lambda _row, request: f.IntakeForm(request.POST),
        service=_save,
        done=_saved,
        then=_fresh_form,
    ),
)


@capability_required(Capability.INTAKE)
def intake(request: HttpRequest) -> HttpResponse:
    """One form for one call (R-IN, R-HM-1 to R-HM-5); a fresh form after each save."""
    bound: dict = {}
    status = handle_post(request, BUTTONS, bound, find=lambda request: request.user, default="save")
    if isinstance(status, HttpResponse):
        return status
    saved = bool(request.session.pop("intake_saved", None)) if request.method == "GET" else False
    query = request.GET.get("q", "").strip()
    context = {
        "section": SECTION_BY_KEY["intake"],
        "form": bound.get("save") or f.IntakeForm(),
        "guidance": list(DECLINE_GUIDANCE.items()),
        "clear_draft": saved,
        "query": query,
        "units": directory.unit_search(query=query) if query else [],
    }
    return render(request, "workbench/intake.html", context, status=status)


@require_GET
@capability_required(Capability.INTAKE)
def intake_history(request: HttpRequest) -> HttpResponse:
    """The caller's earlier tickets and abuse records while they are on the line (htmx)."""
    phone = request.GET.get("phone", "").strip()
    context: dict[str, Any] = {"phone": phone, "ready": len(phone) >= 5}
    if context["ready"]:
        tickets = citizen_history(user=request.user, phone=phone, limit=10)
        abuse = abuse_summary(phone=phone)
        context.update(
            tickets=tickets,
            open_count=sum(1 for t in tickets if t.status in OPEN),
            abuse=[(AbuseRecord.Kind(kind).label, n) for kind, n in abuse.items()],
            abuse_total=sum(abuse.values()),
            name=next((t.citizen.name for t in tickets if t.citizen.name), ""),
            open_statuses=OPEN,
        )
    return render(request, "workbench/_caller_history.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.INTAKE, Capability.DISPATCH)
def catalog_suggestions(request: HttpRequest) -> HttpResponse:
    """Catalog items from the words of the request, as the operator types (R-HM-9).
    POST from the intake page: a long detail does not fit in a URL (414, issue 14 item 7)."""
    params = request.POST if request.method == "POST" else request.GET
    text = " ".join(params.get(k, "") for k in ("summary", "detail")).strip()
    on = directory.today()
    suggestions = directory.catalog_suggest(text=text, on=on) if text else []
    # The topic classifier helps when a model is trained; without one the list is empty.
    topics = topic_choices(text) if text else []
    # Units that handled similar requests in the end (after any send-back), with the catalog.
    address = params.get("address", "").strip()
    units = suggest_units(text=text, on=on, address=address, limit=3) if text else []
    return render(
        request,
        "workbench/_suggestions.html",
        {"suggestions": suggestions, "text": text, "topics": topics, "units": units},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.INTAKE, Capability.DISPATCH)
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """Possible duplicates of the request being typed, or of the ticket `ticket` on the
    dispatch page, among recent tickets the user may see (并单 merge, R-IN-4) (htmx)."""
    number = request.GET.get("ticket", "").strip()
    ticket = (
        Ticket.objects.visible_to(request.user).filter(number=number).first() if number else None
    )
    if ticket is not None:
        text, area = f"{ticket.summary} {ticket.detail}", ticket.region_id
    else:
        params = request.POST if request.method == "POST" else request.GET
        text, area = " ".join(params.get(k, "") for k in ("summary", "detail")).strip(), None
    found = similar_tickets(text, area=area, user=request.user, exclude=ticket) if text else []
    context = {
        "found": found,
        "text": text,
        "ticket": ticket,
        "open_statuses": OPEN,
        "merge": ticket is not None and can(request.user, Capability.DISPATCH),
    }
    return render(request, "workbench/_duplicates.html", context)
