"""The ticket page as the whole record: every unit's replies round by round with the
leader's decision, the requests and their decisions, the return visits, redos with their
own deadline, merges both ways and the submissions to the leaders (R-DA-1).

Read only; scoped by the caller (the ticket comes from `visible_to`) and by role: the
callers of merged tickets are masked as `citizen_for` masks them, and complaint evidence
stays with the hotline, its file name included (KM 19)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.models import UNIT_ROLES
from hotline.tickets.models import IntakeOutcome, Ticket, TicketEvent
from hotline.tickets.selectors import citizen_for
from hotline.tickets.states import Status

EVIDENCE_HIDDEN = gettext_lazy("(complaint evidence, for the hotline only)")


def event_data_for(user, event: TicketEvent) -> dict[str, Any]:
    """An event's data as this user may see it: a unit never learns the name or size of
    complaint evidence (KM 19), on the page or through the API."""
    data = event.data or {}
    if event.kind == "attached" and data.get("evidence") and user.role in UNIT_ROLES:
        return {"evidence": True, "name": str(EVIDENCE_HIDDEN)}
    return data


def events_for(user, ticket: Ticket) -> list[TicketEvent]:
    """The timeline in time order, each event's data as `event_data_for` gives it."""
    events = list(ticket.events.all())
    for event in events:
        event.data = event_data_for(user, event)
    return events


def intake_outcome(ticket: Ticket) -> str:
    """What happened at intake, said as it stands now: a ticket for dispatch that has
    been dispatched (or merged, closed) no longer reads "to be dispatched"."""
    if ticket.intake_outcome != IntakeOutcome.DISPATCH:
        return str(ticket.get_intake_outcome_display())
    if ticket.status == Status.PENDING_DISPATCH:
        return _("Waiting for dispatch")
    if ticket.status == Status.MERGED:
        return _("Merged into another ticket")
    return _("Dispatched to units")


def no_units_text(ticket: Ticket) -> str:
    """The "units" card of a ticket without assignments: only a ticket waiting for
    dispatch is "not yet dispatched"; one answered at intake needs no unit at all."""
    if ticket.intake_outcome != IntakeOutcome.DISPATCH:
        return _("No unit needed: %(outcome)s at intake.") % {
            "outcome": ticket.get_intake_outcome_display()
        }
    if ticket.status == Status.MERGED:
        return _("Merged before dispatch.")
    return _("Not dispatched.")


@dataclass(frozen=True)
class Merged:
    ticket: Ticket
    citizen: dict[str, str]


def ticket_record(user, ticket: Ticket) -> dict[str, Any]:
    rounds = []
    for assignment in ticket.assignments.all():
        replies = list(assignment.replies.all())
        requests = list(assignment.requests.all())
        if replies or requests:
            rounds.append({"assignment": assignment, "replies": replies, "requests": requests})
    redos = [e for e in ticket.events.all() if e.kind == "redo"]
    merged = [
        Merged(t, citizen_for(user, t))
        for t in ticket.merged.select_related("citizen").order_by("received_at", "id")
    ]
    return {
        "rounds": rounds,
        "redos": redos,
        "merged": merged,
        "submissions": list(ticket.submissions.all()),
        "intake_outcome": intake_outcome(ticket),
        "no_units": no_units_text(ticket),
    }
