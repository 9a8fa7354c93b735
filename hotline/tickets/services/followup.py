"""Writes around handling that feed the assessment (issue 12): the unit's contact with
the citizen (R-UN-4), failed return visits and their retries (R-FB-2), and the unit's
requests to exclude a ticket from its assessment (剔除) or carry it over (挂账).

Same rules as the other service modules: keyword-only arguments, one transaction, the ticket row
locked first, a permission and state check, exactly one TicketEvent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError
from hotline.tickets import followup, states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import Assignment, Contact, Ticket, UnitRequest, Visit
from hotline.tickets.part_states import check_assignment
from hotline.tickets.services.common import (
    lock_assignment,
    move,
    pending_request,
    refresh_deadlines,
    require_member,
    site_language,
    tell_unit,
)
from hotline.tickets.services.visits import visit_round

# A contact entered a little ahead of the server clock (a clerk's watch) is accepted.
CLOCK_SLACK = timedelta(minutes=5)
CARRY_OVER_MAX_DAYS = 366
NOTE_MAX = 2000


def _text(value: str, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Please fill in the %(label)s") % {"label": label})
    if len(value) > NOTE_MAX:
        raise DomainError(
            _("The %(label)s is at most %(max)s characters (now %(count)s)")
            % {"label": label, "max": NOTE_MAX, "count": len(value)}
        )
    return value


# --- the unit's contact with the citizen (R-UN-4, ZS 20(一)) ---------------------------


def contact_record(
    *, user, assignment: Assignment, at: datetime, channel: str, result: str, note: str = ""
) -> Contact:
    """Record that the unit contacted (or tried to contact) the citizen. The first
    contact at or before `Assignment.contact_due` counts as a response in time."""
    require_member(user, assignment)
    if channel not in Contact.Channel.values:
        raise DomainError(_("Please choose how the citizen was contacted"))
    if result not in Contact.Result.values:
        raise DomainError(_("Please choose the contact's result"))
    if at is None or timezone.is_naive(at):
        raise DomainError(_("Please give the contact's time"))
    note = _text(note, _("contact note"), required=False)
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("contact", ticket.status)
        check_assignment("contact", assignment)
        now = clock.now()
        if at > now + CLOCK_SLACK:
            raise DomainError(_("The contact's time cannot be in the future"))
        # Forms give minutes: a contact in the minute of the dispatch is after it.
        if at < assignment.dispatched_at.replace(second=0, microsecond=0):
            raise DomainError(
                _("The contact's time cannot be before the dispatch (%(at)s)")
                % {"at": local_moment(assignment.dispatched_at)}
            )
        contact = Contact.objects.create(
            assignment=assignment, at=at, channel=channel, result=result, note=note, by=user
        )
        if assignment.first_contact_at is None or at < assignment.first_contact_at:
            assignment.first_contact_at = at
            assignment.save(update_fields=["first_contact_at"])
        record(
            ticket,
            EventKind.CONTACTED,
            actor=user,
            assignment=assignment,
            contacted_at=local_moment(at),
            channel=channel,
            result=result,
            note=note,
            in_time=followup.assignment_responded(assignment),
        )
    return contact


# --- failed return visits and their retries (R-FB-2) -----------------------------------


def visit_fail(
    *, actor, ticket: Ticket, outcome: str, channel: str = Visit.Channel.PHONE, note: str = ""
) -> Visit:
    """A visit attempt that did not reach the citizen: the next attempt is scheduled by
    the policy; after its last attempt the ticket counts as not visited (not satisfied)
    and is closed, leaving the call list (decision 0007)."""
    require(actor, Capability.VISIT)
    if outcome not in Visit.Outcome.values or outcome == Visit.Outcome.DONE:
        raise DomainError(_("Please choose why the return visit failed"))
    if channel not in Visit.Channel.values:
        raise DomainError(_("Invalid return-visit channel"))
    note = _text(note, _("visit note"), required=False)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        states.check("visit", ticket.status)
        round_, attempt = visit_round(ticket)
        limit = followup.max_attempts(ticket)
        gave_up = attempt >= limit
        now = clock.now()
        visit = Visit.objects.create(
            ticket=ticket,
            channel=channel,
            outcome=outcome,
            resolved=None,
            note=note,
            by=actor,
            round=round_,
            attempt=attempt,
            gave_up=gave_up,
        )
        if gave_up:
            changed = [*move(ticket, "close"), "closed_at", "visit_retry_at"]
            ticket.closed_at, ticket.visit_retry_at = now, None
        else:
            ticket.visit_retry_at = followup.retry_at(ticket, now)
            changed = ["visit_retry_at"]
        record(
            ticket,
            EventKind.VISIT_FAILED,
            actor=actor,
            fields=changed,
            outcome=outcome,
            channel=channel,
            note=note,
            round=round_,
            attempt=attempt,
            max_attempts=limit,
            gave_up=gave_up,
            retry_at=None if gave_up else local_moment(ticket.visit_retry_at),
        )
    return visit


# --- the unit's requests (剔除, 挂账): one shape ----------------------------------------


def _file_request(
    ticket: Ticket,
    assignment: Assignment,
    *,
    actor,
    kind: str,
    already_pending: str,
    event: str,
    fields: dict,
    event_data: dict,
) -> UnitRequest:
    """Write the unit's request of `kind` and its one event, unless one awaits review.

    Inside the caller's transaction, the assignment locked and the caller's own checks
    (state, part, what its kind of request needs) passed."""
    if assignment.pending_request(kind):
        raise Conflict(already_pending)
    request = UnitRequest.objects.create(
        assignment=assignment, kind=kind, requested_by=actor, **fields
    )
    record(ticket, event, actor=actor, assignment=assignment, **event_data)
    return request


# --- exclusion from the assessment (剔除) ----------------------------------------------


def exclusion_request(*, actor, assignment: Assignment, category: str, reason: str) -> UnitRequest:
    """The unit asks that this ticket not count in its assessment: a malicious caller,
    a demand beyond policy after screening, force majeure (decision 0007)."""
    require_member(actor, assignment)
    if category not in UnitRequest.Category.values:
        raise DomainError(_("Please choose the kind of exclusion reason"))
    reason = _text(reason, _("reason for exclusion"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("exclusion", ticket.status)
        check_assignment("exclusion", assignment)
        requests = assignment.requests.filter(kind=UnitRequest.Kind.EXCLUSION)
        if requests.filter(decision=UnitRequest.Decision.APPROVED).exists():
            raise Conflict(_("This ticket's exclusion is already approved"))
        return _file_request(
            ticket,
            assignment,
            actor=actor,
            kind=UnitRequest.Kind.EXCLUSION,
            already_pending=_("An exclusion request is already awaiting review"),
            event=EventKind.EXCLUSION_REQUESTED,
            fields={"category": category, "reason": reason},
            event_data={"category": category, "reason": reason},
        )


def exclusion_decide(*, actor, request: UnitRequest, approve: bool, note: str = "") -> UnitRequest:
    """The hotline approves or refuses an exclusion; a refusal says why."""
    require(actor, Capability.DISPATCH)
    note = _text(
        note,
        _("reason for refusing") if not approve else _("reviewer's note"),
        required=not approve,
    )
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.EXCLUSION, approve=approve)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        request.decision = (
            UnitRequest.Decision.APPROVED if approve else UnitRequest.Decision.REFUSED
        )
        request.decided_by, request.decided_at, request.decision_note = actor, clock.now(), note
        request.save()
        record(
            ticket,
            EventKind.EXCLUSION_APPROVED if approve else EventKind.EXCLUSION_REFUSED,
            actor=actor,
            assignment=assignment,
            category=request.category,
            note=note,
        )
        with site_language():
            if approve:
                subject = _("Exclusion request approved")
                text = _("The exclusion request of ticket %(number)s is approved")
            else:
                subject = _("Exclusion request refused")
                text = _("The exclusion request of ticket %(number)s is refused")
            text = text % {"number": ticket.number} + (
                _(": %(note)s") % {"note": note} if note else _(".")
            )
            tell_unit(ticket, assignment, subject, text)
    return request


# --- carry-over (挂账) -----------------------------------------------------------------


def _today() -> date:
    return timezone.localtime(clock.now()).date()


def carry_over_request(
    *, actor, assignment: Assignment, plan: str, promised_date: date
) -> UnitRequest:
    """A long-term matter: the lead unit states its plan and a promised completion date
    (R-UN-5, ZS 21); once approved the ticket is not overdue until that date."""
    require_member(actor, assignment)
    plan = _text(plan, _("plan of work"))
    if not isinstance(promised_date, date):
        raise DomainError(_("Please give the promised completion date"))
    today = _today()
    if promised_date <= today:
        raise DomainError(_("The promised completion date must be after today"))
    if promised_date > today + timedelta(days=CARRY_OVER_MAX_DAYS):
        raise DomainError(_("The promised completion date is at most a year away"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("carry_over", ticket.status)
        if assignment.role != Assignment.Role.LEAD:
            raise DomainError(_("Only the lead unit at work may ask for a carry-over"))
        check_assignment("carry_over", assignment)
        due = assignment.reply_due
        if due and promised_date <= timezone.localtime(due).date():
            raise DomainError(
                _(
                    "The promised date is not after the current deadline (%(due)s); "
                    "no carry-over is needed"
                )
                % {"due": local_moment(assignment.reply_due)}
            )
        return _file_request(
            ticket,
            assignment,
            actor=actor,
            kind=UnitRequest.Kind.CARRY_OVER,
            already_pending=_("A carry-over request is already awaiting review"),
            event=EventKind.CARRY_OVER_REQUESTED,
            fields={"reason": plan, "promised_date": promised_date},
            event_data={"plan": plan, "promised_date": promised_date.isoformat()},
        )


def carry_over_decide(*, actor, request: UnitRequest, approve: bool, note: str = "") -> UnitRequest:
    """Approve: the reply deadline moves to the end of the promised day (the working day's
    end under the policy), so reminders, warnings and the ladder wait for it. Refuse:
    nothing changes; the refusal says why."""
    require(actor, Capability.DISPATCH)
    note = _text(
        note,
        _("reason for refusing") if not approve else _("reviewer's note"),
        required=not approve,
    )
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.CARRY_OVER, approve=approve)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        if approve:
            states.check("carry_over", ticket.status)
            check_assignment("carry_over", assignment)
            assert request.promised_date is not None
            end = ticket.policy_version.as_policy().clock.day_end or time(17, 30)
            until = timezone.make_aware(datetime.combine(request.promised_date, end))
            assignment.carried_until = until
            refresh_deadlines(ticket, assignment)
        request.decision = (
            UnitRequest.Decision.APPROVED if approve else UnitRequest.Decision.REFUSED
        )
        request.decided_by, request.decided_at, request.decision_note = actor, clock.now(), note
        request.save()
        record(
            ticket,
            EventKind.CARRY_OVER_APPROVED if approve else EventKind.CARRY_OVER_REFUSED,
            actor=actor,
            assignment=assignment,
            promised_date=request.promised_date.isoformat() if request.promised_date else None,
            note=note,
            reply_due=local_moment(assignment.reply_due),
        )
    return request
