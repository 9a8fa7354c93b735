"""A unit's requests to the dispatcher and their decisions: send back as not its duty
(R-UN-2, ZS 17) and more time (R-UN-3, ZS 18-19)."""

from __future__ import annotations

from django.db import transaction

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
    Pause,
    Ticket,
    UnitRequest,
)
from hotline.tickets.services.common import (
    active_of,
    close_pauses,
    lock_assignment,
    move,
    pending_request,
    refresh_deadlines,
    require_member,
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
        raise DomainError("退回须说明理由和依据")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        if assignment.role != Assignment.Role.LEAD or not assignment.active:
            raise DomainError("只有牵头单位可以申请退回；协办事项请与牵头单位沟通")
        if assignment.coordinated:
            raise DomainError("已经协调确定由本单位办理，不能再退回（中山 第十七条）")
        now = clock.now()
        if assignment.return_until and now > assignment.return_until:
            raise DomainError(
                f"已超过退回时限（{local_moment(assignment.return_until)}），不予退回"
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
        assignment.state = Assignment.State.RETURN_REVIEW
        assignment.save()
        Pause.objects.create(assignment=assignment, start=now, reason="退回审核中")
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
        raise DomainError("同意退回时请说明理由" if approve else "不同意退回时请说明理由")
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.SEND_BACK)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        now = clock.now()
        request.decision = (
            UnitRequest.Decision.APPROVED if approve else UnitRequest.Decision.REFUSED
        )
        request.decided_by, request.decided_at, request.decision_note = actor, now, note
        request.save()
        close_pauses(assignment, now)
        if approve:
            moved = move(ticket, "send_back_approve")
            active_of(ticket).update(active=False, state=Assignment.State.RETURNED)
        else:
            moved = move(ticket, "send_back_refuse")
            assignment.state = Assignment.State.HANDLING
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
            "延期后的期限超出了工作日历的年份范围，请减少延期天数", code="extension_refused"
        ) from None


def extension_request(*, actor, assignment: Assignment, reason: str, days: int) -> UnitRequest:
    """Ask for more time, with reasons (R-UN-3, LX 四3, ZS 18)."""
    require_member(actor, assignment)
    if not reason.strip():
        raise DomainError("申请延期须说明理由")
    if days < 1:
        raise DomainError("延期天数至少为 1 个工作日")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("extension_request", ticket.status)
        if not assignment.active:
            raise Conflict("该工单已不在本单位办理")
        _check_extension(ticket, assignment, days)
        if assignment.pending_request(UnitRequest.Kind.EXTENSION):
            raise Conflict("已有待审核的延期申请")
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
        request = pending_request(request, UnitRequest.Kind.EXTENSION)
        states.check("extension_decide", ticket.status)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        granted = days if days is not None else request.days or 0
        if approve and granted < 1:
            raise DomainError("批准的延期天数至少为 1 个工作日")
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
            notice = (
                f"您的诉求（{ticket.number}）因「{request.reason}」延期办理，"
                f"新的办理期限为 {local_moment(assignment.reply_due)}。"
            )
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
