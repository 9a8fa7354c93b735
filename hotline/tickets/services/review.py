"""The reply and its reviews (R-UN-4 to R-UN-6): the handler writes it, the unit leader
signs it off, the hotline approves or refuses the completion."""

from __future__ import annotations

from django.db import transaction

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.sla.policies import ClockStart
from hotline.tickets import states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    Assignment,
    Pause,
    Reply,
    Ticket,
)
from hotline.tickets.services.common import (
    REVIEW_PAUSE,
    close_pauses,
    lead_of,
    lock_assignment,
    move,
    refresh_deadlines,
    require_member,
)
from hotline.tickets.services.records import attachment_add


def reply_submit(
    *,
    actor,
    assignment: Assignment,
    text: str,
    points: list[str] | None = None,
    citizen_view: str = "",
    result: str = "",
    result_reason: str = "",
    files: list | tuple = (),
) -> Reply:
    """The handler writes the reply, with the handling result (解决 / 部分解决 / 未解决,
    with the reason when not fully resolved) and any site photos or papers, and sends it
    to the unit leader (R-UN-4, R-UN-5). A refused file refuses the whole reply."""
    require_member(actor, assignment)
    if not text.strip():
        raise DomainError("请填写答复内容")
    if result and result not in Reply.Result.values:
        raise DomainError("未知的办理结果", code="invalid_result")
    if result in (Reply.Result.PARTLY, Reply.Result.UNRESOLVED) and not result_reason.strip():
        raise DomainError("部分解决或未解决时请说明原因", code="result_reason_required")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("reply_submit", ticket.status)
        if assignment.role != Assignment.Role.LEAD or not assignment.active:
            raise DomainError("由牵头单位统一答复诉求人")
        if assignment.state != Assignment.State.HANDLING:
            raise Conflict("请先签收")
        if assignment.replies.filter(state=Reply.State.SUBMITTED).exists():
            raise Conflict("已有待单位负责人审核的答复")
        if assignment.subs.filter(active=True).exclude(state=Assignment.State.CLOSED).exists():
            raise DomainError("下级单位的办理结果尚未审核，不能向上答复（昆明 第十四条）")
        reply = Reply.objects.create(
            assignment=assignment,
            text=text.strip(),
            points=list(points or []),
            citizen_view=citizen_view.strip(),
            result=result,
            result_reason=result_reason.strip() if result != Reply.Result.RESOLVED else "",
            written_by=actor,
        )
        record(
            ticket,
            EventKind.REPLY_SUBMITTED,
            actor=actor,
            assignment=assignment,
            reply=reply.pk,
            result=result,
            files=len(files),
        )
        for upload in files:
            attachment_add(actor=actor, ticket=ticket, upload=upload)
    return reply


def reply_withdraw(*, actor, reply: Reply) -> Reply:
    """The handler takes a submitted reply back while the unit leader has not decided."""
    require_member(actor, reply.assignment)
    with transaction.atomic():
        ticket, assignment = lock_assignment(reply.assignment)
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        if reply.state != Reply.State.SUBMITTED:
            raise Conflict("单位负责人已审核该答复，不能撤回")
        reply.state = Reply.State.WITHDRAWN
        reply.save(update_fields=["state"])
        record(
            ticket, EventKind.REPLY_WITHDRAWN, actor=actor, assignment=assignment, reply=reply.pk
        )
    return reply


def reply_decide(*, actor, reply: Reply, approve: bool, note: str = "") -> Reply:
    """The unit leader signs the reply off, which applies for completion (R-UN-5, R-UN-6)."""
    require(actor, Capability.APPROVE_REPLY)
    assignment = reply.assignment
    if actor.unit_id != assignment.unit_id:  # APPROVE_REPLY belongs to a unit's leader
        raise PermissionDenied("只有本单位负责人可以审核答复")
    if not approve and not note.strip():
        raise DomainError("退回修改时请说明原因")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        if reply.state != Reply.State.SUBMITTED:
            raise Conflict("该答复已审核")
        now = clock.now()
        reply.review_note = note
        moved: list[str] = []
        if approve:
            moved = move(ticket, "reply_approve")
            reply.state, reply.approved_by, reply.approved_at = Reply.State.APPROVED, actor, now
            assignment.state, assignment.replied_at = Assignment.State.REPLIED, now
            assignment.save()
            Pause.objects.create(assignment=assignment, start=now, reason=REVIEW_PAUSE)
        else:
            states.check("reply_reject", ticket.status)
            reply.state = Reply.State.REJECTED
        reply.save()
        late = bool(approve and assignment.reply_due and now > assignment.reply_due)
        record(
            ticket,
            EventKind.REPLY_APPROVED if approve else EventKind.REPLY_REJECTED,
            actor=actor,
            fields=moved,
            assignment=assignment,
            reply=reply.pk,
            note=note,
            late=late,
        )
    return reply


def completion_decide(*, actor, ticket: Ticket, approve: bool, note: str = "") -> Ticket:
    """Approve the completion, or send it back to handling with the deadline from the
    first receipt, the review time not counted (R-UN-6, ZS 22)."""
    require(actor, Capability.DISPATCH)
    if not approve and not note.strip():
        raise DomainError("不同意办结时请说明理由")
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        lead = lead_of(ticket)
        now = clock.now()
        close_pauses(lead, now)
        reply = lead.approved_reply()
        if approve:
            moved = move(ticket, "completion_approve")
            lead.state = Assignment.State.CLOSED
            lead.save(update_fields=["state"])
        else:
            moved = move(ticket, "completion_refuse")
            if reply:
                reply.state, reply.review_note = Reply.State.REFUSED, note
                reply.save()
            lead.state = Assignment.State.HANDLING
            policy = ticket.policy_version.as_policy()
            if policy.clock.on_completion_refused == ClockStart.FIRST_RECEIPT:
                lead.clock_start = lead.first_received_at
            refresh_deadlines(ticket, lead)
        record(
            ticket,
            EventKind.COMPLETION_APPROVED if approve else EventKind.COMPLETION_REFUSED,
            actor=actor,
            fields=moved,
            assignment=lead,
            note=note,
            reply_due=local_moment(lead.reply_due),
        )
    return ticket
