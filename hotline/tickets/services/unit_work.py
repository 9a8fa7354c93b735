"""A unit's work on its part (R-UN-1, R-HM-7, R-HM-11): sign, report a co-unit's part,
pass the work down to a sub-unit and review its result."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.directory.models import Unit
from hotline.tickets import followup, search, states
from hotline.tickets.events import EventKind, record
from hotline.tickets.models import (
    Assignment,
)
from hotline.tickets.part_states import check_assignment
from hotline.tickets.services.common import (
    lock_assignment,
    move,
    require_member,
)


def assignment_sign(*, actor, assignment: Assignment, handler=None) -> Assignment:
    """Sign for the assignment (签收) and name the internal handler."""
    require_member(actor, assignment)
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        state = check_assignment("sign", assignment)
        moved = move(ticket, "sign") if assignment.role == Assignment.Role.LEAD else []
        now = clock.now()
        assignment.state = state
        assignment.signed_at = now
        assignment.contact_due = followup.contact_due(ticket, now)  # R-UN-4
        assignment.handler = handler or actor
        assignment.save()
        late = bool(assignment.sign_due and now > assignment.sign_due)
        record(
            ticket,
            EventKind.SIGNED,
            actor=actor,
            fields=moved,
            assignment=assignment,
            late=late,
            handler=assignment.handler.get_full_name(),
        )
    return assignment


def assist_report(*, actor, assignment: Assignment, text: str) -> Assignment:
    """A co-unit reports its part to the lead, who answers the citizen once (R-HM-7);
    a sub-unit reports its result to the unit that passed the work down (R-HM-11)."""
    require_member(actor, assignment)
    if not text.strip():
        raise DomainError(_("Please write the assisting opinion"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("assist_report", ticket.status)
        if assignment.role == Assignment.Role.LEAD:
            raise DomainError(_("Only an assisting unit or sub-unit at work reports its opinion"))
        state = check_assignment("assist_report", assignment)
        assignment.state, assignment.replied_at = state, clock.now()
        assignment.save()
        record(
            ticket, EventKind.ASSIST_REPORTED, actor=actor, assignment=assignment, text=text.strip()
        )
    return assignment


def assignment_pass_down(
    *, actor, assignment: Assignment, unit: Unit, note: str = ""
) -> Assignment:
    """A unit passes its part down to one of its own sub-units, keeping responsibility
    (R-HM-11, KM 14(二)). The sub-unit's deadline is the unit's own."""
    require_member(actor, assignment)
    if unit.parent_id != assignment.unit_id:
        raise DomainError(_("A ticket can only be passed down to one of the unit's own sub-units"))
    if not unit.active:
        raise DomainError(_("A ticket cannot be passed down to a deactivated unit"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("pass_down", ticket.status)
        check_assignment("pass_down", assignment)
        if assignment.subs.filter(unit=unit, active=True).exists():
            raise Conflict(_("Already passed down to this sub-unit"))
        now = clock.now()
        sub = Assignment.objects.create(
            ticket=ticket,
            unit=unit,
            role=Assignment.Role.SUB,
            parent=assignment,
            mode=assignment.mode,
            dispatched_at=now,
            first_received_at=now,
            clock_start=now,
            sign_due=assignment.sign_due,
            reply_due=assignment.reply_due,
        )
        ticket.unit_terms = search.with_units(ticket.unit_terms, [unit.pk])
        record(
            ticket,
            EventKind.PASSED_DOWN,
            actor=actor,
            fields=["unit_terms"],
            assignment=sub,
            note=note,
            parent_unit=assignment.unit.code,
        )
    return sub


def sub_review(*, actor, sub: Assignment, accept: bool, note: str = "") -> Assignment:
    """The upper unit reviews its sub-unit's result before answering up (KM 14(二))."""
    parent = sub.parent
    if parent is None:
        raise DomainError(_("This is not a sub-unit's part"))
    require_member(actor, parent)
    if not accept and not note.strip():
        raise DomainError(_("Please give the reason for returning it to the sub-unit"))
    with transaction.atomic():
        ticket, sub = lock_assignment(sub)
        states.check("sub_review", ticket.status)
        sub.state = check_assignment("sub_accept" if accept else "sub_refuse", sub)
        sub.save()
        record(
            ticket,
            EventKind.SUB_ACCEPTED if accept else EventKind.SUB_REFUSED,
            actor=actor,
            assignment=sub,
            note=note,
        )
    return sub
