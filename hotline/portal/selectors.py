"""What the citizen portal reads: a ticket or online request found by number and phone,
its progress timeline in plain words, a verified phone's own list, and whether it can be
rated online now.

Public reads are scoped by the phone itself (design rule 5: a citizen sees their own):
nothing is found without both the number and the phone that asked, and the timeline is
built from what a citizen is told, never from staff names, notes or evidence (R-FB-1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from hotline.channels.models import OnlineRequest
from hotline.channels.progress import Step, request_steps, ticket_steps
from hotline.tickets.models import Ticket, Visit
from hotline.tickets.states import Status

NO_MATCH = _("Number and phone do not match")
LIST_LIMIT = 50


@dataclass(frozen=True)
class Found:
    """A tracked item: an online request not yet accepted, or a ticket."""

    number: str
    subject: str
    state: str
    steps: list[Step]
    ticket: Ticket | None
    request: OnlineRequest | None


def _clean_number(number: object) -> str:
    return number.strip().upper() if isinstance(number, str) and len(number) <= 32 else ""


def tickets_of(phone: str) -> Q:
    """The tickets a phone asked for: as the caller, or through its online request."""
    return Q(citizen__phone=phone) | Q(online_requests__phone=phone)


def _found_ticket(ticket: Ticket, request: OnlineRequest | None = None) -> Found:
    steps = (request_steps(request) if request else []) + ticket_steps(ticket)
    steps.sort(key=lambda s: s.at)
    return Found(ticket.number, ticket.summary, ticket.get_status_display(), steps, ticket, request)


def _ticket_of(number: str, phone: str) -> tuple[Ticket, int | None] | None:
    """The ticket `number` when `phone` asked for it (tickets_of), with its first online
    request from that phone (online_pk): one read by the unique number, no DISTINCT over
    a join (a call's ticket, the usual case, needs no second query)."""
    first_online = OnlineRequest.objects.filter(ticket=OuterRef("pk"), phone=phone)
    rows = (
        Ticket.objects.filter(number=number)
        .annotate(
            caller_phone=F("citizen__phone"),
            online_pk=Subquery(first_online.order_by("received_at", "id").values("pk")[:1]),
        )
        .order_by()[:1]  # the number is unique: no ORDER BY to build
    )
    ticket = next(iter(rows), None)
    if ticket is None or (ticket.caller_phone != phone and ticket.online_pk is None):
        return None
    return ticket, ticket.online_pk


def track(*, number: object, phone: str) -> Found | None:
    """The ticket or online request with this number asked by this phone, else None
    (the caller answers NO_MATCH whatever was wrong)."""
    number = _clean_number(number)
    if not number or not phone:
        return None
    mine = _ticket_of(number, phone)
    if mine is not None:
        ticket, online_pk = mine
        online = OnlineRequest.objects.get(pk=online_pk) if online_pk else None
        return _found_ticket(ticket, online)
    request = OnlineRequest.objects.filter(number=number, phone=phone).select_related("ticket")
    found = request.first()
    if found is None:
        return None
    if found.ticket is not None:
        return _found_ticket(found.ticket, found)
    return Found(
        found.number or "",
        found.subject,
        found.get_state_display(),
        request_steps(found),
        None,
        found,
    )


def own_list(*, phone: str) -> list[dict[str, Any]]:
    """A verified phone's tickets and not yet accepted requests, newest first."""
    rows: list[dict[str, Any]] = [
        {
            "number": t.number,
            "subject": t.summary,
            "state": t.get_status_display(),
            "at": t.received_at,
        }
        for t in Ticket.objects.filter(tickets_of(phone))
        .distinct()
        .order_by("-received_at")[:LIST_LIMIT]
    ]
    waiting = OnlineRequest.objects.filter(phone=phone, ticket__isnull=True).order_by(
        "-received_at"
    )[:LIST_LIMIT]
    rows += [
        {
            "number": r.number,
            "subject": r.subject,
            "state": r.get_state_display(),
            "at": r.received_at,
        }
        for r in waiting
    ]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:LIST_LIMIT]


def can_rate(*, phone: str, ticket: Ticket) -> bool:
    """Completed, asked online by this phone with a web or SMS visit chosen, and not yet
    rated in this round (a redo opens a new round) (R-FB-2)."""
    if ticket.status != Status.COMPLETED:
        return False
    chosen = ticket.online_requests.filter(phone=phone, reply_channel__in=("web", "sms"))
    if not chosen.exists():
        return False
    last_redo = ticket.events.filter(kind="redo").order_by("-at").values_list("at", flat=True)
    since = last_redo.first()
    visits = Visit.objects.filter(ticket=ticket)
    if since is not None:
        visits = visits.filter(at__gt=since)
    return not visits.exists()
