"""What the user may do now with one ticket: links into the workbench pages.

The ticket detail page renders them with `{% load next_steps %}` …
`{% next_steps ticket %}` (the tickets app imports no workbench). It reads
`ticket.assignments.all()` with their requests and replies, so the prefetch that
`tickets.selectors.ticket_get` already does makes it query-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.accounts.permissions import Capability, can
from hotline.tickets.models import Assignment, Reply, Ticket, UnitRequest
from hotline.tickets.states import Status


@dataclass(frozen=True)
class NextStep:
    key: str
    label: str | Promise
    url: str
    primary: bool = False


def _url(name: str, **query: object) -> str:
    base = reverse(name)
    return f"{base}?{urlencode(query)}" if query else base


def next_steps_for(user, ticket: Ticket) -> list[NextStep]:
    """The actions open to `user` on `ticket` in its present state, most urgent first."""
    found: list[NextStep] = []
    parts = [a for a in ticket.assignments.all() if a.active]
    if can(user, Capability.DISPATCH):
        if ticket.status == Status.PENDING_DISPATCH:
            found.append(
                NextStep(
                    "dispatch",
                    _("Dispatch"),
                    _url("section-dispatch", tab="pending", ticket=ticket.number),
                    True,
                )
            )
        if any(a.pending_request(UnitRequest.Kind.SEND_BACK) for a in parts):
            found.append(
                NextStep(
                    "send_back_review",
                    _("Review the send-back"),
                    _url("section-dispatch", tab="send_back"),
                    True,
                )
            )
        if any(a.pending_request(UnitRequest.Kind.EXTENSION) for a in parts):
            found.append(
                NextStep(
                    "extension_review",
                    _("Review the extension"),
                    _url("section-dispatch", tab="extension"),
                    True,
                )
            )
        if ticket.status == Status.REPLIED:
            found.append(
                NextStep(
                    "completion_review",
                    _("Review the completion"),
                    _url("section-dispatch", tab="completion"),
                    True,
                )
            )
    if can(user, Capability.HANDLE) and user.unit_id:
        for a in parts:
            if a.unit_id != user.unit_id:
                continue
            if a.state == Assignment.State.DISPATCHED:
                label = _("Sign")
            elif a.state == Assignment.State.HANDLING:
                label = (
                    _("Handle and reply")
                    if a.role == Assignment.Role.LEAD
                    else _("Report our part")
                )
            else:
                label = _("Open in my inbox")
            inbox = _url("section-inbox", a=a.pk)
            found.append(NextStep(f"handle-{a.pk}", label, inbox, a.state != "replied"))
            found.append(
                NextStep(
                    f"sheet-{a.pk}", _("Assignment sheet"), reverse("workbench:sheet", args=[a.pk])
                )
            )
            if can(user, Capability.APPROVE_REPLY) and any(
                r.state == Reply.State.SUBMITTED for r in a.replies.all()
            ):
                found.append(
                    NextStep(
                        f"approve-{a.pk}",
                        _("Approve the reply"),
                        _url("section-inbox", tab="approve"),
                        True,
                    )
                )
    if can(user, Capability.VISIT) and ticket.status == Status.COMPLETED:
        found.append(
            NextStep("visit", _("Return visit"), _url("section-visits", ticket=ticket.number), True)
        )
    return found
