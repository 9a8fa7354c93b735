"""The reply and its reviews (R-UN-4 to R-UN-6): the handler writes it, the unit leader
signs it off, the hotline approves or refuses the completion."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.sla.policies import ClockStart
from hotline.tickets import states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    Assignment,
    AssignmentPause,
    Reply,
    Ticket,
)
from hotline.tickets.part_states import check_assignment, check_reply
from hotline.tickets.services.common import (
    REVIEW_PAUSE,
    close_pauses,
    lead_of,
    lock_assignment,
    move,
    refresh_deadlines,
    require_member,
    site_language,
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
        raise DomainError(_("Please write the reply"))
    if result and result not in Reply.Result.values:
        raise DomainError(_("Unknown handling result"), code="invalid_result")
    if result in (Reply.Result.PARTLY, Reply.Result.UNRESOLVED) and not result_reason.strip():
        raise DomainError(
            _("Please say why when partly resolved or not resolved"), code="result_reason_required"
        )
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("reply_submit", ticket.status)
        if assignment.role != Assignment.Role.LEAD:
            raise DomainError(_("The lead unit answers the citizen for all units"))
        check_assignment("reply_submit", assignment)
        if assignment.replies.filter(state=Reply.State.SUBMITTED).exists():
            raise Conflict(_("A reply is already awaiting the unit leader"))
        if assignment.subs.filter(active=True).exclude(state=Assignment.State.CLOSED).exists():
            raise DomainError(
                _("A sub-unit's result is not reviewed yet; the unit cannot answer up (KM art. 14)")
            )
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
        reply.state = check_reply("withdraw", reply)
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
        raise PermissionDenied(_("Only the unit's leader may review its replies"))
    if not approve and not note.strip():
        raise DomainError(_("Please say why the reply goes back for changes"))
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        decided = check_reply("approve" if approve else "reject", reply)
        now = clock.now()
        reply.review_note = note
        moved: list[str] = []
        if approve:
            moved = move(ticket, "reply_approve")
            reply.state, reply.approved_by, reply.approved_at = decided, actor, now
            assignment.state = check_assignment("reply_approve", assignment)
            assignment.replied_at = now
            assignment.save()
            with site_language():
                reason = str(REVIEW_PAUSE)
            AssignmentPause.objects.create(assignment=assignment, start=now, reason=reason)
        else:
            states.check("reply_reject", ticket.status)
            reply.state = decided
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
        raise DomainError(_("Please give the reason for refusing the completion"))
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        lead = lead_of(ticket)
        now = clock.now()
        close_pauses(lead, now)
        reply = lead.approved_reply()
        if approve:
            moved = move(ticket, "completion_approve")
            lead.state = check_assignment("completion_approve", lead)
            lead.save(update_fields=["state"])
        else:
            moved = move(ticket, "completion_refuse")
            if reply:
                reply.state, reply.review_note = check_reply("refuse", reply), note
                reply.save()
            lead.state = check_assignment("completion_refuse", lead)
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
