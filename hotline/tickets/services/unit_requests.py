"""A unit's requests to the dispatcher and their decisions: send back as not its duty
(R-UN-2, ZS 17) and more time (R-UN-3, ZS 18-19)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError
from hotline.directory.models import Unit
from hotline.sla.policies import ClockStart
from hotline.tickets import deadlines, states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    Assignment,
    AssignmentPause,
    Ticket,
    UnitRequest,
)
from hotline.tickets.part_states import check_assignment
from hotline.tickets.services.common import (
    SEND_BACK_PAUSE,
    active_of,
    close_pauses,
    lock_assignment,
    move,
    pending_request,
    refresh_deadlines,
    require_member,
    site_language,
    tell_citizen,
)


def send_back_request(
    *,
    actor,
    assignment: Assignment,
    reason: str,
    legal_basis: str,
    suggested_unit: Unit | None = None,
) -> UnitRequest:
    """Ask to send the ticket back as not this unit's duty (R-UN-2)."""
    require_member(actor, assignment)
    if not reason.strip() or not legal_basis.strip():
        raise DomainError(_("A send-back needs its reason and legal basis"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        if assignment.role != Assignment.Role.LEAD:
            raise DomainError(
                _(
                    "Only the lead unit may ask to send a ticket back; "
                    "an assisting unit talks to the lead unit"
                )
            )
        state = check_assignment("send_back", assignment)
        if assignment.coordinated:
            raise DomainError(
                _("Coordination named this unit; it cannot send the ticket back (ZS art. 17)")
            )
        now = clock.now()
        if assignment.return_until and now > assignment.return_until:
            raise DomainError(
                _("The time to send back has passed (%(until)s); no send-back")
                % {"until": local_moment(assignment.return_until)}
            )
        moved = move(ticket, "send_back")
        request = UnitRequest.objects.create(
            assignment=assignment,
            kind=UnitRequest.Kind.SEND_BACK,
            reason=reason.strip(),
            legal_basis=legal_basis.strip(),
            suggested_unit=suggested_unit,
            requested_by=actor,
        )
        assignment.state = state
        assignment.save()
        with site_language():
            reason = str(SEND_BACK_PAUSE)
        AssignmentPause.objects.create(assignment=assignment, start=now, reason=reason)
        record(
            ticket,
            EventKind.SEND_BACK_REQUESTED,
            actor=actor,
            fields=moved,
            assignment=assignment,
            reason=reason,
            legal_basis=legal_basis,
            suggested_unit=suggested_unit.code if suggested_unit else None,
        )
    return request


def send_back_decide(*, actor, request: UnitRequest, approve: bool, note: str = "") -> Ticket:
    """Approve: back to dispatch, the next unit's clock starts anew. Refuse: the unit goes
    on, its deadline from first receipt with the review time not counted (R-DL-3, ZS 17)."""
    require(actor, Capability.DISPATCH)
    if not note.strip():  # both ways: the unit and the next unit read why (R-UN-2)
        raise DomainError(
            _("Please give the reason for approving the send-back")
            if approve
            else _("Please give the reason for refusing the send-back")
        )
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.SEND_BACK, approve=approve)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        state = check_assignment("send_back_approve" if approve else "send_back_refuse", assignment)
        now = clock.now()
        request.decision = (
            UnitRequest.Decision.APPROVED if approve else UnitRequest.Decision.REFUSED
        )
        request.decided_by, request.decided_at, request.decision_note = actor, now, note
        request.save()
        close_pauses(assignment, now)
        if approve:
            moved = move(ticket, "send_back_approve")
            active_of(ticket).update(active=False, state=state)
        else:
            moved = move(ticket, "send_back_refuse")
            assignment.state = state
            policy = ticket.policy_version.as_policy()
            if policy.clock.on_return_refused == ClockStart.FIRST_RECEIPT:
                assignment.clock_start = assignment.first_received_at
            refresh_deadlines(ticket, assignment)
        record(
            ticket,
            EventKind.SEND_BACK_APPROVED if approve else EventKind.SEND_BACK_REFUSED,
            actor=actor,
            fields=moved,
            assignment=assignment,
            note=note,
            improper=not approve,
            reply_due=None if approve else local_moment(assignment.reply_due),
        )
    return ticket


def _check_extension(ticket: Ticket, assignment: Assignment, days: int) -> None:
    """The rule's limits (allowed, most days in all, most extensions) and a deadline the
    calendar can count (R-UN-3)."""
    refusal = deadlines.extension_limits(ticket, assignment).refusal(days)
    if refusal:
        raise DomainError(refusal, code="extension_refused")
    try:
        deadlines.due_after_extension(ticket, assignment, days)
    except ValueError:
        raise DomainError(
            _("The extended deadline is past the years of the work calendar; ask for fewer days"),
            code="extension_refused",
        ) from None


def extension_request(*, actor, assignment: Assignment, reason: str, days: int) -> UnitRequest:
    """Ask for more time, with reasons (R-UN-3, LX 四3, ZS 18)."""
    require_member(actor, assignment)
    if not reason.strip():
        raise DomainError(_("An extension request needs its reason"))
    if days < 1:
        raise DomainError(_("An extension is at least 1 working day"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("extension_request", ticket.status)
        check_assignment("extension_request", assignment)
        _check_extension(ticket, assignment, days)
        if assignment.pending_request(UnitRequest.Kind.EXTENSION):
            raise Conflict(_("An extension request is already awaiting review"))
        request = UnitRequest.objects.create(
            assignment=assignment,
            kind=UnitRequest.Kind.EXTENSION,
            reason=reason.strip(),
            days=days,
            requested_by=actor,
        )
        record(
            ticket,
            EventKind.EXTENSION_REQUESTED,
            actor=actor,
            assignment=assignment,
            reason=reason,
            days=days,
        )
    return request


def extension_decide(
    *, actor, request: UnitRequest, approve: bool, note: str = "", days: int | None = None
) -> UnitRequest:
    """Approve or refuse; the citizen is told the reason and the new deadline (ZS 19)."""
    require(actor, Capability.DISPATCH)
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.EXTENSION, approve=approve)
        states.check("extension_decide", ticket.status)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        granted = days if days is not None else request.days or 0
        if approve and granted < 1:
            raise DomainError(_("An approved extension is at least 1 working day"))
        if approve:
            _check_extension(ticket, assignment, granted)
        request.decision = (
            UnitRequest.Decision.APPROVED if approve else UnitRequest.Decision.REFUSED
        )
        request.decided_by, request.decided_at = actor, clock.now()
        request.decision_note, request.days = note, granted if approve else request.days
        request.save()
        notice = ""
        if approve:
            assignment.extra_days += granted
            refresh_deadlines(ticket, assignment)
            with site_language():
                notice = _(
                    "Your request (%(number)s) is extended because “%(reason)s”; "
                    "the new deadline is %(due)s."
                ) % {
                    "number": ticket.number,
                    "reason": request.reason,
                    "due": local_moment(assignment.reply_due),
                }
            tell_citizen(ticket, notice, key=f"extension:{request.pk}")
        record(
            ticket,
            EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
            actor=actor,
            assignment=assignment,
            days=granted,
            note=note,
            reply_due=local_moment(assignment.reply_due),
            citizen_notice=notice,
        )
    return request
