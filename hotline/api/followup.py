"""The API of issue 12's inputs: a unit's contact with the citizen (R-UN-4), a failed
return visit (R-FB-2), exclusion (剔除) and carry-over (挂账) requests. Decisions on the
requests go through POST /api/tickets/requests/{id}/decide like the other requests."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from hotline.api.tickets import TicketOut, _assignment, _detail, _ticket
from hotline.tickets.services import followup as sf

router = Router(tags=["follow-up"])


class ContactIn(Schema):
    at: datetime  # ISO 8601; without an offset it is read as Asia/Shanghai time
    channel: str  # phone / sms / visit / other
    result: str  # reached / not_reached / refused / wrong_number
    note: str = ""


class ExclusionIn(Schema):
    category: str  # malicious / beyond_policy / force_majeure
    reason: str


class CarryOverIn(Schema):
    plan: str
    promised_date: date


class VisitFailureIn(Schema):
    outcome: str  # no_answer / powered_off / refused / wrong_number
    channel: str = "phone"
    note: str = ""


class Made(Schema):
    id: int


@router.post("/assignments/{pk}/contacts", response={201: Made})
def contact(request: HttpRequest, pk: int, payload: ContactIn):
    at = payload.at if timezone.is_aware(payload.at) else timezone.make_aware(payload.at)
    made = sf.contact_record(
        user=request.user,
        assignment=_assignment(request, pk),
        at=at,
        channel=payload.channel,
        result=payload.result,
        note=payload.note,
    )
    return 201, {"id": made.pk}


@router.post("/assignments/{pk}/exclusion", response={201: Made})
def exclusion(request: HttpRequest, pk: int, payload: ExclusionIn):
    made = sf.exclusion_request(
        actor=request.user,
        assignment=_assignment(request, pk),
        category=payload.category,
        reason=payload.reason,
    )
    return 201, {"id": made.pk}


@router.post("/assignments/{pk}/carry-over", response={201: Made})
def carry_over(request: HttpRequest, pk: int, payload: CarryOverIn):
    made = sf.carry_over_request(
        actor=request.user,
        assignment=_assignment(request, pk),
        plan=payload.plan,
        promised_date=payload.promised_date,
    )
    return 201, {"id": made.pk}


@router.post("/tickets/{number}/visit-failure", response=TicketOut)
def visit_failure(request: HttpRequest, number: str, payload: VisitFailureIn):
    sf.visit_fail(
        actor=request.user,
        ticket=_ticket(request, number),
        outcome=payload.outcome,
        channel=payload.channel,
        note=payload.note,
    )
    return _detail(request, number)
