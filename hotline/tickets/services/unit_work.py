"""A unit's work on its part (R-UN-1, R-HM-7, R-HM-11): sign, report a co-unit's part,
pass the work down to a sub-unit and review its result."""

from __future__ import annotations

from django.db import transaction

from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.directory.models import Unit
from hotline.tickets import followup, states
from hotline.tickets.events import EventKind, record
from hotline.tickets.models import (
    Assignment,
)
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
        if not assignment.active or assignment.state != Assignment.State.DISPATCHED:
            raise Conflict("该工单已签收或已不在本单位办理")
        moved = move(ticket, "sign") if assignment.role == Assignment.Role.LEAD else []
        now = clock.now()
        assignment.state = Assignment.State.HANDLING
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
        raise DomainError("请填写协办意见")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("assist_report", ticket.status)
        if assignment.role == Assignment.Role.LEAD or not assignment.active:
            raise DomainError("只有在办的协办单位或下级单位报送办理意见")
        if assignment.state == Assignment.State.REPLIED:
            raise Conflict("协办意见已报送")
        assignment.state, assignment.replied_at = Assignment.State.REPLIED, clock.now()
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
        raise DomainError("只能转交本单位的下级单位")
    if not unit.active:
        raise DomainError("不能转交已停用的单位")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("pass_down", ticket.status)
        if not assignment.active or assignment.state != Assignment.State.HANDLING:
            raise Conflict("请先签收，再转交下级单位")
        if assignment.subs.filter(unit=unit, active=True).exists():
            raise Conflict("已转交该下级单位")
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
        record(
            ticket,
            EventKind.PASSED_DOWN,
            actor=actor,
            assignment=sub,
            note=note,
            parent_unit=assignment.unit.code,
        )
    return sub


def sub_review(*, actor, sub: Assignment, accept: bool, note: str = "") -> Assignment:
    """The upper unit reviews its sub-unit's result before answering up (KM 14(二))."""
    parent = sub.parent
    if parent is None:
        raise DomainError("这不是下级单位的转办")
    require_member(actor, parent)
    if not accept and not note.strip():
        raise DomainError("退回下级单位时请说明原因")
    with transaction.atomic():
        ticket, sub = lock_assignment(sub)
        states.check("sub_review", ticket.status)
        if sub.state != Assignment.State.REPLIED:
            raise Conflict("下级单位尚未报送办理结果")
        sub.state = Assignment.State.CLOSED if accept else Assignment.State.HANDLING
        sub.save()
        record(
            ticket,
            EventKind.SUB_ACCEPTED if accept else EventKind.SUB_REFUSED,
            actor=actor,
            assignment=sub,
            note=note,
        )
    return sub
