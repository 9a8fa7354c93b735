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

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError
from hotline.tickets import followup, states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import Assignment, Contact, Ticket, UnitRequest, Visit
from hotline.tickets.services.common import (
    lock_assignment,
    move,
    pending_request,
    refresh_deadlines,
    require_member,
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
        raise DomainError(f"请填写{label}")
    if len(value) > NOTE_MAX:
        raise DomainError(f"{label}不能超过 {NOTE_MAX} 字（现有 {len(value)} 字）")
    return value


# --- the unit's contact with the citizen (R-UN-4, ZS 20(一)) ---------------------------


def contact_record(
    *, user, assignment: Assignment, at: datetime, channel: str, result: str, note: str = ""
) -> Contact:
    """Record that the unit contacted (or tried to contact) the citizen. The first
    contact at or before `Assignment.contact_due` counts as a response in time."""
    require_member(user, assignment)
    if channel not in Contact.Channel.values:
        raise DomainError("请选择联系方式")
    if result not in Contact.Result.values:
        raise DomainError("请选择联系结果")
    if at is None or timezone.is_naive(at):
        raise DomainError("请填写联系时间")
    note = _text(note, "联系情况", required=False)
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("contact", ticket.status)
        if not assignment.active:
            raise Conflict("该工单已不在本单位办理")
        now = clock.now()
        if at > now + CLOCK_SLACK:
            raise DomainError("联系时间不能晚于当前时间")
        # Forms give minutes: a contact in the minute of the dispatch is after it.
        if at < assignment.dispatched_at.replace(second=0, microsecond=0):
            raise DomainError(
                f"联系时间不能早于派单时间（{local_moment(assignment.dispatched_at)}）"
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
        raise DomainError("请选择回访未成功的原因")
    if channel not in Visit.Channel.values:
        raise DomainError("回访方式无效")
    note = _text(note, "备注", required=False)
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


# --- exclusion from the assessment (剔除) ----------------------------------------------


def exclusion_request(*, actor, assignment: Assignment, category: str, reason: str) -> UnitRequest:
    """The unit asks that this ticket not count in its assessment: a malicious caller,
    a demand beyond policy after screening, force majeure (decision 0007)."""
    require_member(actor, assignment)
    if category not in UnitRequest.Category.values:
        raise DomainError("请选择剔除理由类别")
    reason = _text(reason, "剔除理由")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("exclusion", ticket.status)
        requests = assignment.requests.filter(kind=UnitRequest.Kind.EXCLUSION)
        if requests.filter(decision=UnitRequest.Decision.APPROVED).exists():
            raise Conflict("该工单已批准剔除")
        if assignment.pending_request(UnitRequest.Kind.EXCLUSION):
            raise Conflict("已有待审核的剔除申请")
        request = UnitRequest.objects.create(
            assignment=assignment,
            kind=UnitRequest.Kind.EXCLUSION,
            category=category,
            reason=reason,
            requested_by=actor,
        )
        record(
            ticket,
            EventKind.EXCLUSION_REQUESTED,
            actor=actor,
            assignment=assignment,
            category=category,
            reason=reason,
        )
    return request


def exclusion_decide(*, actor, request: UnitRequest, approve: bool, note: str = "") -> UnitRequest:
    """The hotline approves or refuses an exclusion; a refusal says why."""
    require(actor, Capability.DISPATCH)
    note = _text(note, "不同意的理由" if not approve else "审核意见", required=not approve)
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.EXCLUSION)
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
        tell_unit(
            ticket,
            assignment,
            "剔除申请已同意" if approve else "剔除申请未同意",
            f"工单 {ticket.number} 的剔除申请{'已同意' if approve else '未同意'}"
            + (f"：{note}" if note else "。"),
        )
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
    plan = _text(plan, "办理计划")
    if not isinstance(promised_date, date):
        raise DomainError("请填写承诺办结日期")
    today = _today()
    if promised_date <= today:
        raise DomainError("承诺办结日期须晚于今天")
    if promised_date > today + timedelta(days=CARRY_OVER_MAX_DAYS):
        raise DomainError("承诺办结日期不能超过一年")
    with transaction.atomic():
        ticket, assignment = lock_assignment(assignment)
        states.check("carry_over", ticket.status)
        if assignment.role != Assignment.Role.LEAD or not assignment.active:
            raise DomainError("只有在办的牵头单位可以申请挂账")
        due = assignment.reply_due
        if due and promised_date <= timezone.localtime(due).date():
            raise DomainError(
                f"承诺日期不晚于现有办理期限（{local_moment(assignment.reply_due)}），无需挂账"
            )
        if assignment.pending_request(UnitRequest.Kind.CARRY_OVER):
            raise Conflict("已有待审核的挂账申请")
        request = UnitRequest.objects.create(
            assignment=assignment,
            kind=UnitRequest.Kind.CARRY_OVER,
            reason=plan,
            promised_date=promised_date,
            requested_by=actor,
        )
        record(
            ticket,
            EventKind.CARRY_OVER_REQUESTED,
            actor=actor,
            assignment=assignment,
            plan=plan,
            promised_date=promised_date.isoformat(),
        )
    return request


def carry_over_decide(*, actor, request: UnitRequest, approve: bool, note: str = "") -> UnitRequest:
    """Approve: the reply deadline moves to the end of the promised day (the working day's
    end under the policy), so reminders, warnings and the ladder wait for it. Refuse:
    nothing changes; the refusal says why."""
    require(actor, Capability.DISPATCH)
    note = _text(note, "不同意的理由" if not approve else "审核意见", required=not approve)
    with transaction.atomic():
        ticket = lock_ticket(request.assignment.ticket)
        request = pending_request(request, UnitRequest.Kind.CARRY_OVER)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        if approve:
            states.check("carry_over", ticket.status)
            if not assignment.active or assignment.state not in (
                Assignment.State.DISPATCHED,
                Assignment.State.HANDLING,
            ):
                raise Conflict("该工单已不在办理中，不能挂账")
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
