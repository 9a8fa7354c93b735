"""Tickets over JSON: the same services as the pages, scoped by visible_to (R-SE)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, UploadedFile
from ninja.pagination import paginate

from hotline.accounts.permissions import Capability, require
from hotline.api.ticket_schemas import (
    DecisionIn,
    DispatchIn,
    Done,
    ExtensionIn,
    Found,
    MergeIn,
    ReasonIn,
    ReplyIn,
    SearchPagination,
    SendBackIn,
    TextIn,
    TicketIn,
    TicketOut,
    TicketSummaryOut,
    VisitIn,
)
from hotline.core.access import access
from hotline.core.errors import DomainError, NotFound, form_errors_text
from hotline.core.fixed_reads import FixedRead, Slot
from hotline.core.transactions import request_transaction
from hotline.directory.models import Unit
from hotline.directory.selectors import unit_by_code
from hotline.tickets import events, exports, paging, record, selectors
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Reply, Ticket, TicketEvent, UnitRequest
from hotline.tickets.services import followup as sf
from hotline.tickets.services import intake

router = Router(tags=["tickets"])


FOLLOW_UP_DECIDE: dict[str, Any] = {
    UnitRequest.Kind.EXCLUSION: sf.exclusion_decide,
    UnitRequest.Kind.CARRY_OVER: sf.carry_over_decide,
}


def _unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = unit_by_code(code)
    if unit is None:
        raise DomainError(_("No unit has the code %(code)s") % {"code": code}, code="unknown_unit")
    return unit


def ticket_or_404(request: HttpRequest, number: str, *, lock: bool = False) -> Ticket:
    """The ticket if this user sees it; with `lock`, read with its row lock as the
    services lock it (`events.lock_first`), inside `request_transaction()`."""
    visible = Ticket.objects.visible_to(request.user).filter(number=number)
    ticket = events.lock_first(visible) if lock else visible.first()
    if ticket is None:
        raise NotFound(_("No ticket %(number)s, or you may not view it") % {"number": number})
    return ticket


def assignment_or_404(request: HttpRequest, pk: int) -> Assignment:
    return access(Assignment.objects.visible_to(request.user), pk=pk)


def _utc(moment: datetime | None) -> datetime | None:
    """Times as the database gives them back (UTC), also for values computed in hand."""
    return moment.astimezone(UTC) if moment is not None else None


def _out(
    request: HttpRequest, ticket: Ticket, events: list[TicketEvent] | None = None
) -> dict[str, Any]:
    """The ticket as TicketOut. A caller that just wrote the ticket passes what it holds
    (its parts cached on it, the events if known), so nothing is read again with the
    detail page's prefetching (issue 14 item 11)."""
    if events is None:
        events = intake.known(ticket, "events") or list(ticket.events.all())
    assignments = intake.known(ticket, "assignments")
    if assignments is None:
        assignments = list(ticket.assignments.all())
    return {
        "number": ticket.number,
        "status": ticket.status,
        "kind": ticket.kind,
        "channel": ticket.channel,
        "summary": ticket.summary,
        "received_at": _utc(ticket.received_at),
        "detail": ticket.detail,
        "address": ticket.address,
        "urgency": ticket.urgency,
        "confidential": ticket.confidential,
        # A caller whose row this very request wrote is shown what the operator typed:
        # not a view of stored data, so not logged; a known caller's record is.
        "citizen": selectors.citizen_for(
            request.user, ticket, log=not intake.is_new_caller(ticket.citizen)
        ),
        "policy": str(ticket.policy_version),
        "assignments": [
            {
                "id": a.pk,
                "unit_code": a.unit.code,
                "unit_name": a.unit.name,
                "role": a.role,
                "state": a.state,
                "active": a.active,
                "sign_due": _utc(a.sign_due),
                "reply_due": _utc(a.reply_due),
                "return_until": _utc(a.return_until),
            }
            for a in assignments
        ],
        "events": [
            {
                "kind": e.kind,
                "at": _utc(e.at),
                "actor": e.actor.get_full_name() if e.actor else None,
                "unit_code": e.unit.code if e.unit else None,
                "data": record.event_data_for(request.user, e),
            }
            for e in events
        ],
    }


def ticket_detail_data(request: HttpRequest, number: str) -> dict[str, Any]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    if ticket is None:
        raise NotFound(_("No ticket %(number)s, or you may not view it") % {"number": number})
    return _out(request, ticket)


@router.get("", response=list[TicketSummaryOut])
@paginate(SearchPagination)
def ticket_list(request: HttpRequest, status: str = "", phone: str = "", q: str = ""):
    """Tickets the user sees, newest first. With `q` (words) the count stops as the list
    page's does: `count_capped` then says that at least `count` tickets match."""
    if phone:
        require(request.user, Capability.VIEW_PERSONAL_DATA)
    # The search of the ticket list page: the same scope, and a unit never learns by
    # phone number who asked a confidential question (LX 四3).
    # The page's own form checks the words (100 characters at most) and the phone: one
    # validation for both (issue 14 item 7).
    form = exports.TicketSearchForm(
        {"status": status, "phone": phone, "text": q}, user=request.user
    )
    if not form.is_valid():
        raise DomainError(form_errors_text(form), code="invalid_search")
    data = form.cleaned_data
    tickets = exports.ticket_search(user=request.user, data=data)
    if not exports.has_words(data):
        return Found(tickets, None, lambda: paging.Count(tickets.count()))  # exact, as ever
    return Found(
        tickets,
        exports.ticket_search(user=request.user, data=data, walk=True),
        partial(exports.search_count, user=request.user, data=data, cap=paging.LIST_CAP),
    )


@router.post("", response={201: TicketOut})
def ticket_create(request: HttpRequest, payload: TicketIn):
    data = payload.dict()
    forward_to = _unit(data.pop("forward_to"))
    related = data.pop("related_to")
    related_to = ticket_or_404(request, related) if related else None
    # One COMMIT: the ticket and the access record of its answer (decision 0034).
    with request_transaction():
        ticket = s.ticket_create(
            actor=request.user, forward_to=forward_to, related_to=related_to, **data
        )
        # The service remembered its parts (none yet) and its one event (intake.remember).
        return 201, _out(request, ticket)


@router.get("/{number}", response=TicketOut)
def ticket_detail(request: HttpRequest, number: str):
    return ticket_detail_data(request, number)


@router.post("/{number}/dispatch", response=TicketOut)
def ticket_dispatch(request: HttpRequest, number: str, payload: DispatchIn):
    lead = _unit(payload.lead)
    if lead is None:
        raise DomainError(_("Choose the lead unit"), code="lead_required")
    assists = [u for u in (_unit(code) for code in payload.assists) if u is not None]
    # One COMMIT for the dispatch and the access record of its answer; the ticket is read
    # once, locked, and the service does not read it again (decision 0034).
    with request_transaction():
        ticket = s.ticket_dispatch(
            actor=request.user,
            ticket=ticket_or_404(request, number, lock=True),
            lead=lead,
            assists=assists,
            mode=payload.mode,
            catalog_days=payload.catalog_days,
            instruction=payload.instruction,
            instruction_days=payload.instruction_days,
            coordinated=payload.coordinated,
        )
        # The service remembered the parts; the timeline is one light query.
        return _out(request, ticket, timeline(ticket))


# What `_out` shows of an event, its actor and its unit: not the users' forty columns
# (password hash included) and the units' fifteen, whose compiling and building cost
# more Python than the read itself (bench/README.md, "Where a create and a dispatch go").
TIMELINE_FIELDS = (
    *("ticket", "kind", "at", "actor", "unit", "assignment", "data"),  # every event column
    *("actor__full_name", "actor__username", "unit__code"),
)


_TIMELINE = FixedRead(
    TicketEvent,
    lambda ticket_id: (
        TicketEvent.objects.filter(ticket_id=ticket_id)
        .select_related("actor", "unit")
        .only(*TIMELINE_FIELDS)
    ),
    ticket_id=Slot.INT,
)


def timeline(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events in time order, with what the answer shows of them (the SQL
    compiled once: hotline.core.fixed_reads)."""
    events = _TIMELINE.rows(ticket_id=ticket.pk)
    for event in events:
        TicketEvent.ticket.field.set_cached_value(event, ticket)
    return events


@router.post("/assignments/{pk}/sign", response=Done)
def assignment_sign(request: HttpRequest, pk: int):
    s.assignment_sign(actor=request.user, assignment=assignment_or_404(request, pk))
    return {"id": pk}


@router.post("/assignments/{pk}/send-back", response=Done)
def send_back(request: HttpRequest, pk: int, payload: SendBackIn):
    made = s.send_back_request(
        actor=request.user,
        assignment=assignment_or_404(request, pk),
        reason=payload.reason,
        legal_basis=payload.legal_basis,
        suggested_unit=_unit(payload.suggested_unit),
    )
    return {"id": made.pk}


@router.post("/assignments/{pk}/extension", response=Done)
def extension(request: HttpRequest, pk: int, payload: ExtensionIn):
    made = s.extension_request(
        actor=request.user,
        assignment=assignment_or_404(request, pk),
        reason=payload.reason,
        days=payload.days,
    )
    return {"id": made.pk}


@router.post("/assignments/{pk}/assist-report", response=Done)
def assist_report(request: HttpRequest, pk: int, payload: TextIn):
    s.assist_report(
        actor=request.user, assignment=assignment_or_404(request, pk), text=payload.text
    )
    return {"id": pk}


@router.post("/assignments/{pk}/reply", response=Done)
def reply_submit(request: HttpRequest, pk: int, payload: ReplyIn):
    made = s.reply_submit(
        actor=request.user,
        assignment=assignment_or_404(request, pk),
        text=payload.text,
        points=payload.points,
        citizen_view=payload.citizen_view,
        result=payload.result,
        result_reason=payload.result_reason,
    )
    return {"id": made.pk}


@router.post("/replies/{pk}/decide", response=Done)
def reply_decide(request: HttpRequest, pk: int, payload: DecisionIn):
    reply = access(Reply.objects.visible_to(request.user), pk=pk)
    s.reply_decide(actor=request.user, reply=reply, approve=payload.approve, note=payload.note)
    return {"id": pk}


@router.post("/requests/{pk}/decide", response=Done)
def request_decide(request: HttpRequest, pk: int, payload: DecisionIn):
    unit_request = access(UnitRequest.objects.visible_to(request.user), pk=pk)
    if unit_request.kind == UnitRequest.Kind.SEND_BACK:
        s.send_back_decide(
            actor=request.user, request=unit_request, approve=payload.approve, note=payload.note
        )
    elif unit_request.kind in FOLLOW_UP_DECIDE:  # 剔除 / 挂账 (decision 0007)
        FOLLOW_UP_DECIDE[unit_request.kind](
            actor=request.user, request=unit_request, approve=payload.approve, note=payload.note
        )
    else:
        s.extension_decide(
            actor=request.user,
            request=unit_request,
            approve=payload.approve,
            note=payload.note,
            days=payload.days,
        )
    return {"id": pk}


@router.post("/{number}/completion", response=TicketOut)
def completion(request: HttpRequest, number: str, payload: DecisionIn):
    s.completion_decide(
        actor=request.user,
        ticket=ticket_or_404(request, number),
        approve=payload.approve,
        note=payload.note,
    )
    return ticket_detail_data(request, number)


@router.post("/{number}/visit", response=TicketOut)
def visit(request: HttpRequest, number: str, payload: VisitIn):
    s.visit_record(
        actor=request.user,
        ticket=ticket_or_404(request, number),
        satisfaction=payload.satisfaction,
        resolved=payload.resolved,
        channel=payload.channel,
        note=payload.note,
        unit_satisfaction=payload.unit_satisfaction,
        operator_satisfaction=payload.operator_satisfaction,
    )
    return ticket_detail_data(request, number)


@router.post("/{number}/redo", response=TicketOut)
def redo(request: HttpRequest, number: str, payload: ReasonIn):
    s.ticket_redo(actor=request.user, ticket=ticket_or_404(request, number), reason=payload.reason)
    return ticket_detail_data(request, number)


@router.post("/{number}/screen", response=TicketOut)
def screen(request: HttpRequest, number: str, payload: ReasonIn):
    s.ticket_screen(
        actor=request.user, ticket=ticket_or_404(request, number), reason=payload.reason
    )
    return ticket_detail_data(request, number)


@router.post("/{number}/merge", response=TicketOut)
def merge(request: HttpRequest, number: str, payload: MergeIn):
    s.ticket_merge(
        actor=request.user,
        ticket=ticket_or_404(request, number),
        into=ticket_or_404(request, payload.into),
        reason=payload.reason,
    )
    return ticket_detail_data(request, number)


@router.post("/{number}/annotate", response=Done)
def annotate(request: HttpRequest, number: str, payload: TextIn):
    event = s.ticket_annotate(
        actor=request.user, ticket=ticket_or_404(request, number), text=payload.text
    )
    return {"id": event.pk}


@router.post("/{number}/attachments")
def attachment_upload(
    request: HttpRequest,
    number: str,
    file: UploadedFile = File(...),  # noqa: B008  (ninja declares a multipart part so)
    evidence: bool = Form(False),
):
    """Attach one file (multipart `file`, optional `evidence`); the same checks as the
    page: type and size by the bytes, no evidence from units (KM 19)."""
    made = s.attachment_add(
        actor=request.user, ticket=ticket_or_404(request, number), upload=file, evidence=evidence
    )
    return {"id": made.pk, "name": made.name, "size": made.size, "evidence": made.evidence}
