"""The one writer of a ticket's event log (design rule 3, issue 19 item 2).

Every action on a ticket appends one `TicketEvent` and changes the ticket's version, so a
concurrent writer holding the old version loses cleanly (design rule 2). `record` does
both, saving only the columns the action changed: a status change does not rewrite the
whole row nor re-run the search terms (`Ticket.save` recomputes them only when a searched
field is among the saved ones). `record_rows` is the bulk form for the sweeper and the
batch intake. Nothing else creates a `TicketEvent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from django.db.models import F, QuerySet

from hotline.core import transactions
from hotline.core.bulk import insert_rows
from hotline.tickets.models import Ticket, TicketEvent


class EventKind(StrEnum):
    """Every kind of event a ticket's log holds (its labels: `models.EVENT_LABELS`)."""

    RECEIVED = "received"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    SEND_BACK_REQUESTED = "send_back_requested"
    SEND_BACK_APPROVED = "send_back_approved"
    SEND_BACK_REFUSED = "send_back_refused"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    ASSIST_REPORTED = "assist_reported"
    PASSED_DOWN = "passed_down"
    SUB_ACCEPTED = "sub_accepted"
    SUB_REFUSED = "sub_refused"
    REPLY_SUBMITTED = "reply_submitted"
    REPLY_APPROVED = "reply_approved"
    REPLY_REJECTED = "reply_rejected"
    REPLY_WITHDRAWN = "reply_withdrawn"
    COMPLETION_APPROVED = "completion_approved"
    COMPLETION_REFUSED = "completion_refused"
    VISITED = "visited"
    VISIT_FAILED = "visit_failed"
    CONTACTED = "contacted"
    QUALITY_SAMPLED = "quality_sampled"
    QUALITY_REVIEWED = "quality_reviewed"
    EXCLUSION_REQUESTED = "exclusion_requested"
    EXCLUSION_APPROVED = "exclusion_approved"
    EXCLUSION_REFUSED = "exclusion_refused"
    CARRY_OVER_REQUESTED = "carry_over_requested"
    CARRY_OVER_APPROVED = "carry_over_approved"
    CARRY_OVER_REFUSED = "carry_over_refused"
    REDO = "redo"
    SCREENED = "screened"
    MERGED = "merged"
    REPEAT_LINKED = "repeat_linked"
    ANNOTATED = "annotated"
    ATTACHED = "attached"
    REMINDED = "reminded"
    URGED = "urged"
    SUPERVISION_LETTER = "supervision_letter"
    EFFICIENCY_RECOMMENDATION = "efficiency_recommendation"
    PUBLICLY_CRITICISED = "publicly_criticised"
    ONSITE_SUPERVISION = "onsite_supervision"
    COORDINATION_MEETING = "coordination_meeting"
    SUBMITTED_TO_LEADER = "submitted_to_leader"
    INSTRUCTED = "instructed"
    EMERGENCY_REPORTED = "emergency_reported"
    EMERGENCY_ACKNOWLEDGED = "emergency_acknowledged"


def _locking(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_for_update(of=("self",)).select_related(
        "policy_version__policy", "citizen"
    )


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """The ticket's row, locked to the end of the transaction: a concurrent action waits,
    then finds the new state and is refused cleanly (design rule 2). A ticket already
    read so in this request's transaction (`lock_first`) is that row: it is returned
    as it is, not read again."""
    if isinstance(ticket, Ticket) and transactions.locked_here(ticket):
        return ticket
    return _locking(Ticket.objects.all()).get(pk=getattr(ticket, "pk", ticket))


def lock_first(tickets: QuerySet[Ticket]) -> Ticket | None:
    """The first of `tickets` (a `visible_to` scope) read and locked as `lock_ticket`
    locks, in one statement; inside `request_transaction()` the service it is handed to
    locks nothing again (issue 14 item 11)."""
    ticket = _locking(tickets).first()
    if ticket is not None:
        transactions.mark_locked(ticket)
    return ticket


def record(
    ticket: Ticket,
    kind: str,
    /,
    *,
    actor,
    assignment=None,
    unit=None,
    fields: Iterable[str] = (),
    inserted: bool = False,
    **data: Any,
) -> TicketEvent:
    """Append the action's event and bump the ticket's version, saving with it only the
    ticket's `fields` the action changed. `ticket` is locked (`lock_ticket`) in the
    caller's transaction. A ticket `inserted` by this action already counts its one
    write (its version is 1): nothing more is saved."""
    if not inserted:
        ticket.version += 1
        ticket.save(update_fields=[*dict.fromkeys(fields), "version"])
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind(kind),
        actor=actor if getattr(actor, "pk", None) else None,
        assignment=assignment,
        unit=unit or (assignment.unit if assignment else None),
        data=data,
    )


def record_rows(rows: Sequence[dict[str, Any]], *, bump: bool = True) -> None:
    """Many events at once, as rows of `TicketEvent` attnames (`ticket_id`, `kind`,
    `assignment_id`, `unit_id`, `actor_id`, `at`, `data`): one INSERT for the lot and one
    UPDATE bumping the version of every ticket met (not with `bump=False`: tickets just
    inserted, whose version already counts this write)."""
    if not rows:
        return
    for row in rows:
        row["kind"] = str(EventKind(row["kind"]))
    insert_rows(TicketEvent, rows)
    if bump:
        ids = {row["ticket_id"] for row in rows}
        Ticket.objects.filter(pk__in=ids).update(version=F("version") + 1)
