"""Many tickets in one request: channels forwarding a batch, a transfer from a partner
hotline, a city's old system being migrated (issue 14 item 11).

All or nothing: every row is checked first with the checks of one create
(`intake.ticket_check`, the text rules of `core.text` on every field the database will
see); if any row fails, nothing is written and the error lists every failing row by
its index, so the sender fixes those and sends the same batch again. A batch that
passes is written in one transaction with a few statements whatever its size: the
callers looked up and the new ones inserted, the day's numbers reserved with one
upsert, the tickets and their one "received" event each inserted in bulk.
See docs/decisions/0016-intake-throughput.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.text import clean_model_text
from hotline.sla.selectors import default_policy_version
from hotline.tickets import search
from hotline.tickets.events import EventKind, record_rows
from hotline.tickets.models import DECLINE_GUIDANCE, Citizen, IntakeOutcome, Ticket, TicketCounter
from hotline.tickets.services import intake

FIELDS = (
    "phone",
    "summary",
    "kind",
    "channel",
    "name",
    "detail",
    "address",
    "urgency",
    "confidential",
    "intake_outcome",
    "answer",
    "decline_reason",
)


def max_rows() -> int:
    return getattr(settings, "HOTLINE_BULK_MAX_ROWS", 1000)


@dataclass(frozen=True)
class RowError:
    row: int  # 0-based index in the batch
    message: str


class BulkRejected(DomainError):
    """Some rows failed their checks; nothing was written."""

    code = "invalid_rows"

    def __init__(self, errors: list[RowError]) -> None:
        shown = _("; ").join(
            _("row %(row)s: %(message)s") % {"row": e.row + 1, "message": e.message}
            for e in errors[:5]
        )
        more = _(" (%(count)s rows in error)") % {"count": len(errors)} if len(errors) > 5 else ""
        super().__init__(
            _("The batch wrote no ticket; correct it and submit it again. ") + shown + more
        )
        self.errors = errors


@dataclass
class _Row:
    ticket: Ticket
    citizen: Citizen


def _prepare(index: int, row: dict[str, Any], version) -> tuple[_Row | None, list[str]]:
    data = {name: row.get(name) for name in FIELDS}
    phone = (data["phone"] or "").strip()
    summary = (data["summary"] or "").strip()
    intake_outcome = data["intake_outcome"] or IntakeOutcome.DISPATCH
    channel = data["channel"] or "phone"
    urgency = data["urgency"] or "normal"
    decline_reason = data["decline_reason"] or ""
    answer = (data["answer"] or "").strip()
    errors = intake.ticket_check(
        phone=phone,
        summary=summary,
        kind=data["kind"] or "",
        channel=channel,
        intake_outcome=intake_outcome,
        urgency=urgency,
        decline_reason=decline_reason,
        answer=answer,
        has_forward_to=False,  # a batch names no units: forwarding is done one by one
        has_related_to=False,
    )
    if errors:
        return None, errors
    confidential = bool(data["confidential"])
    citizen = Citizen(
        phone=phone, name=(data["name"] or "").strip(), prefers_confidential=confidential
    )
    ticket = Ticket(
        channel=channel,
        kind=data["kind"] or "",
        urgency=urgency,
        summary=summary,
        detail=data["detail"] or "",
        address=data["address"] or "",
        confidential=confidential,
        intake_outcome=intake_outcome,
        decline_reason=decline_reason if intake_outcome == IntakeOutcome.DECLINE else "",
        answer=answer,
        policy_version=version,
    )
    try:  # the one text rule (surrogates, NUL, control characters, lengths)
        clean_model_text(citizen)
        clean_model_text(ticket)
    except DomainError as exc:
        return None, [exc.message]
    return _Row(ticket=ticket, citizen=citizen), []


def tickets_create_bulk(*, actor, rows: list[dict[str, Any]]) -> list[Ticket]:
    """Create every ticket of `rows` (dicts with TicketIn's fields) or none.

    The same right as one create (INTAKE), each ticket attributed to `actor` with one
    "received" event. Raises BulkRejected listing every bad row."""
    require(actor, Capability.INTAKE)
    if not rows:
        raise DomainError(_("A batch needs at least one row"), code="empty_batch")
    if len(rows) > max_rows():
        raise DomainError(
            _("At most %(max)s rows at once, this batch has %(count)s: submit it in parts")
            % {"max": max_rows(), "count": len(rows)},
            code="too_many_rows",
        )
    version = default_policy_version()
    if version is None:
        raise DomainError(
            _(
                "No deadline policy is set for new tickets; "
                "an administrator sets one under “Deadline policies”"
            )
        )
    prepared: list[_Row] = []
    failed: list[RowError] = []
    for index, row in enumerate(rows):
        made, errors = _prepare(index, row, version)
        if errors:
            failed.append(RowError(index, "；".join(errors)))
        elif made is not None:
            prepared.append(made)
    if failed:
        raise BulkRejected(failed)

    with transaction.atomic():
        citizens = _citizens([p.citizen for p in prepared])
        now = clock.now()
        numbers = TicketCounter.take(now, len(prepared))
        tickets = []
        for part, number in zip(prepared, numbers, strict=True):
            ticket = part.ticket
            citizen = citizens[(part.citizen.phone, part.citizen.name)]
            ticket.number = number
            ticket.citizen = citizen
            ticket.confidential = ticket.confidential or citizen.prefers_confidential
            ticket.operator = actor
            ticket.received_at = now
            ticket.search_terms = search.terms(*(getattr(ticket, f) for f in search.FIELDS))
            intake.initial_state(ticket, ticket.intake_outcome, now)
            tickets.append(ticket)
        Ticket.objects.bulk_create(tickets)
        operator_no = getattr(actor, "operator_no", "")
        record_rows(
            [
                {
                    "ticket_id": ticket.pk,
                    "kind": EventKind.RECEIVED,
                    "at": now,
                    "actor_id": actor.pk,
                    "data": {
                        "guidance": DECLINE_GUIDANCE.get(ticket.decline_reason, ""),
                        "progress": "",
                        "handling": ticket.intake_outcome,
                        "channel": ticket.channel,
                        "operator_no": operator_no,
                        "decline_reason": ticket.decline_reason,
                        "forward_to": None,
                        "related_to": None,
                        "batch": len(tickets),
                    },
                }
                for ticket in tickets
            ],
            bump=False,  # version 1 counts the INSERT
        )
    return tickets


def _citizens(wanted: list[Citizen]) -> dict[tuple[str, str], Citizen]:
    """Each (phone, name) of the batch as a stored citizen: the first known row, as one
    create would find it, or a new one (one SELECT, one INSERT for the lot)."""
    found: dict[tuple[str, str], Citizen] = {}
    phones = {c.phone for c in wanted}
    for citizen in Citizen.objects.filter(phone__in=phones).order_by("pk"):
        found.setdefault((citizen.phone, citizen.name), citizen)
    new: dict[tuple[str, str], Citizen] = {}
    for citizen in wanted:
        key = (citizen.phone, citizen.name)
        if key not in found and key not in new:
            new[key] = citizen
    Citizen.objects.bulk_create(new.values())
    return found | new
