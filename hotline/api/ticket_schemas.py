"""The JSON shapes of the tickets API (`hotline.api.tickets`), in and out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from hotline.tickets import paging


class Pagination(LimitOffsetPagination):
    """Bounded limit and offset: a huge number is a 422, never a database overflow."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10_000_000)


@dataclass(frozen=True)
class Found:
    """What the ticket list's view hands its pager: the ordered search, for a word search
    the same search planned for walking received time (tickets.paging), and its count."""

    tickets: QuerySet
    rows: QuerySet | None
    count: Callable[[], paging.Count]


class SearchPagination(Pagination):
    """The ticket list's pager: a word search (`q`) is counted as the list page counts it
    (exports.search_count: to 1,000, and for a unit among at most paging.BUDGET word
    matches) and its rows are read from windows of received time (issue 16)."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="Tickets that match; with count_capped, at least this many "
            "(a word search counts to 1,001)."
        )
        count_capped: bool = Field(
            False,
            description="True when the count stopped before the last match (`q` only): "
            "more tickets may match than `count`. Page on with `offset` until fewer than "
            "`limit` items come back.",
        )

    def paginate_queryset(self, queryset: Any, pagination: Any, request, **params: Any) -> Any:
        if not isinstance(queryset, Found):
            return super().paginate_queryset(queryset, pagination, request, **params)
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        with paging.one_look():  # the count and the rows ask the index the same
            counted = queryset.count()
            if queryset.rows is not None:  # read as the list page reads it
                # `tickets` is the same search planned from its matches (`whole`).
                found = paging.first_rows(queryset.rows, offset + limit, whole=queryset.tickets)
                items = found[offset:]
            else:
                items = list(queryset.tickets[offset : offset + limit])
        return {"items": items, "count": counted.n, "count_capped": counted.capped}


class AssignmentOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    role: str
    state: str
    active: bool
    sign_due: datetime | None
    reply_due: datetime | None
    return_until: datetime | None


class EventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    unit_code: str | None
    data: dict[str, Any]


class TicketSummaryOut(Schema):
    number: str
    status: str
    kind: str
    channel: str
    summary: str
    received_at: datetime


class TicketOut(TicketSummaryOut):
    detail: str
    address: str
    urgency: str
    confidential: bool
    citizen: dict[str, str]
    policy: str
    assignments: list[AssignmentOut]
    events: list[EventOut]


class TicketRowIn(Schema):
    """A new ticket's fields, one row of a bulk import too (`hotline.api.bulk`)."""

    phone: str
    summary: str
    kind: str
    channel: str = "phone"
    name: str = ""
    detail: str = ""
    address: str = ""
    urgency: str = "normal"
    confidential: bool = False
    # What the operator did at intake; the wire keeps its old key "handling" (decision 0026).
    intake_outcome: str = Field("dispatch", alias="handling")
    answer: str = ""
    decline_reason: str = ""


class TicketIn(TicketRowIn):
    forward_to: str | None = None
    related_to: str | None = None


class DispatchIn(Schema):
    lead: str
    assists: list[str] = []
    mode: str = "written"
    catalog_days: int | None = None
    instruction: str = ""
    instruction_days: int | None = None
    coordinated: bool = False


class DecisionIn(Schema):
    approve: bool
    note: str = ""
    days: int | None = None


class ReasonIn(Schema):
    reason: str


class SendBackIn(Schema):
    reason: str
    legal_basis: str
    suggested_unit: str | None = None


class ExtensionIn(Schema):
    reason: str
    days: int


class ReplyIn(Schema):
    text: str
    points: list[str] = []
    citizen_view: str = ""
    result: str = ""  # resolved / partly / unresolved (R-UN-4)
    result_reason: str = ""


class VisitIn(Schema):
    satisfaction: str
    resolved: bool
    channel: str = "phone"
    note: str = ""
    unit_satisfaction: str = ""  # R-AS-3: with the handling unit
    operator_satisfaction: str = ""  # and with the hotline's operator


class MergeIn(Schema):
    into: str
    reason: str = ""


class TextIn(Schema):
    text: str


class Done(Schema):
    ok: bool = True
    id: int | None = None
