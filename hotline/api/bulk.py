"""POST /api/tickets/bulk: many tickets in one request, all or nothing (issue 14 item 11).

The rows have the fields of one create (without forwarding or a related ticket); the
answer is the new numbers in the order sent. A batch with bad rows writes nothing and
answers 400 with `{"error": {"code": "invalid_rows", "message", "rows": [{"row",
"message"}]}}`, every bad row by its 0-based index. The body is limited like every
request (DATA_UPLOAD_MAX_MEMORY_SIZE) and the rows by HOTLINE_BULK_MAX_ROWS.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from hotline.tickets.services.intake_bulk import BulkRejected, tickets_create_bulk

router = Router(tags=["tickets"])


class BulkRowIn(Schema):
    phone: str
    summary: str
    kind: str
    channel: str = "phone"
    name: str = ""
    detail: str = ""
    address: str = ""
    urgency: str = "normal"
    confidential: bool = False
    handling: str = "dispatch"
    answer: str = ""
    decline_reason: str = ""


class BulkIn(Schema):
    tickets: list[BulkRowIn]


class BulkOut(Schema):
    count: int
    numbers: list[str]


@router.post("", response={201: BulkOut}, url_name="ticket_bulk_create")
def ticket_bulk_create(request: HttpRequest, payload: BulkIn):
    try:
        made = tickets_create_bulk(actor=request.user, rows=[row.dict() for row in payload.tickets])
    except BulkRejected as exc:
        rows = [{"row": e.row, "message": e.message} for e in exc.errors]
        body = {"error": {"code": exc.code, "message": exc.message, "rows": rows}}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return 201, {"count": len(made), "numbers": [t.number for t in made]}
