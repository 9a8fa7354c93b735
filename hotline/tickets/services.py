"""Every write to a ticket (design rule 1).

Each service: keyword-only arguments, one transaction, the ticket row locked first (a
concurrent action waits, then finds the new state and is refused cleanly), a permission
and state check, the change, and exactly one TicketEvent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import UNIT_ROLES
from hotline.accounts.permissions import Capability, can, require
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.core.models import audit
from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.notifications.models import Channel as NotifyChannel
from hotline.notifications.services import notify, notify_many
from hotline.sla.models import PolicyVersion
from hotline.sla.policies import ClockStart, Kind, Mode, PeriodUnit, PolicyError, Urgency
from hotline.sla.selectors import default_policy_version, work_calendar
from hotline.tickets import attachments, deadlines, followup, intake, states
from hotline.tickets.models import (
    DECLINE_GUIDANCE,
    AbuseRecord,
    Assignment,
    Attachment,
    Citizen,
    DeclineReason,
    Handling,
    Pause,
    Reply,
    Submission,
    Ticket,
    TicketEvent,
    UnitRequest,
    Visit,
)
from hotline.tickets.states import Status

REVIEW_PAUSE = "热线审核"


# --- helpers ---------------------------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("policy_version__policy", "citizen")
        .get(pk=ticket.pk)
    )


def _lock_assignment(assignment: Assignment) -> tuple[Ticket, Assignment]:
    ticket = _lock(assignment.ticket)
    return ticket, Assignment.objects.select_related("unit").get(pk=assignment.pk)


def _event(
    ticket: Ticket,
    kind: str,
    actor,
    *,
    assignment: Assignment | None = None,
    unit: Unit | None = None,
    **data: Any,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        assignment=assignment,
        unit=unit or (assignment.unit if assignment else None),
        data=data,
    )


def _move(ticket: Ticket, action: str) -> None:
    ticket.status = states.check(action, ticket.status)
    if ticket.status == Status.COMPLETED:  # every way to completion: the visit's deadline
        ticket.visit_due = followup.visit_due(ticket, clock.now())
        ticket.visit_retry_at = None
    ticket.version += 1
    ticket.save()


def _bump(ticket: Ticket) -> None:
    """A write to the ticket's parts that leaves its status alone still changes its version."""
    ticket.version += 1
    ticket.save(update_fields=["version"])


def _require_member(user, assignment: Assignment) -> None:
    """The user works for the assignment's unit (R-UN-1)."""
    require(user, Capability.HANDLE)  # a unit's capability: the user has a unit
    if user.unit_id != assignment.unit_id:
        raise PermissionDenied("只有承办单位的工作人员可以办理本单位的工单")


def _fmt(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _tell_citizen(ticket: Ticket, text: str, *, key: str) -> None:
    """An SMS to the caller, queued in this transaction (sent by the tick after commit).
    For a confidential ticket too: it is the hotline that writes (LX 四3)."""
    for message in _citizen_message(ticket, text, key=key):
        notify(**message)


def _citizen_message(ticket: Ticket, text: str, *, key: str) -> list[dict[str, Any]]:
    """_tell_citizen's message, for a service queuing several at once: none for a citizen
    who wrote by mail or WeChat only (channels.progress answers them there)."""
    if not ticket.citizen.phone:
        return []
    return [
        {
            "channel": NotifyChannel.SMS,
            "address": ticket.citizen.phone,
            "subject": "12345热线",
            "body": text,
            "ticket": ticket,
            "key": f"{key}:citizen",
        }
    ]


def _unit_messages(
    ticket: Ticket, assignment: Assignment, subject: str, text: str
) -> list[dict[str, Any]]:
    """_tell_unit's messages for notify_many."""
    return [
        {
            "channel": NotifyChannel.INBOX,
            "recipient_id": user_id,
            "subject": subject,
            "body": text,
            "ticket": ticket,
            "key": f"{subject}:{assignment.pk}:{user_id}",
        }
        for user_id in assignment.unit.members.filter(
            is_active=True, role__in=UNIT_ROLES
        ).values_list("pk", flat=True)
    ]


def _tell_unit(ticket: Ticket, assignment: Assignment, subject: str, text: str) -> None:
    """In-app messages to everyone of the unit who handles tickets."""
    for user in assignment.unit.members.filter(is_active=True, role__in=UNIT_ROLES):
        notify(
            channel=NotifyChannel.INBOX,
            recipient=user,
            subject=subject,
            body=text,
            ticket=ticket,
            key=f"{subject}:{assignment.pk}:{user.pk}",
        )


def _close_pauses(assignment: Assignment, at: datetime) -> None:
    assignment.pauses.filter(end__isnull=True).update(end=at)


def _refresh(ticket: Ticket, assignment: Assignment) -> None:
    deadlines.refresh(ticket, assignment)
    assignment.save()


def _active(ticket: Ticket):
    return ticket.assignments.filter(active=True).select_related("unit")


def _lead(ticket: Ticket) -> Assignment:
    lead = _active(ticket).filter(role=Assignment.Role.LEAD).first()
    if lead is None:
        raise Conflict("工单没有在办的牵头单位")
    return lead


# --- intake (R-IN, R-HM-1 to R-HM-3) ---------------------------------------------------


def ticket_create(
    *,
    actor,
    phone: str,
    summary: str,
    kind: str,
    channel: str = "phone",
    email: str = "",
    wechat_openid: str = "",
    name: str = "",
    citizen_address: str = "",
    detail: str = "",
    address: str = "",
    urgency: str = "normal",
    confidential: bool = False,
    region: Unit | None = None,
    handling: str = Handling.DISPATCH,
    answer: str = "",
    decline_reason: str = "",
    forward_to: Unit | None = None,
    related_to: Ticket | None = None,
    policy_version: PolicyVersion | None = None,
    topic: Topic | None = None,
    catalog_item: CatalogItem | None = None,
) -> Ticket:
    """Record a request and do what the operator chose with it.

    answer_now / guide / forward complete it at once (R-HM-1..3); decline keeps the
    reason (R-IN-4); dispatch puts it in the dispatcher's queue.
    """
    require(actor, Capability.INTAKE)
    phone, summary = phone.strip(), summary.strip()
    email, wechat_openid = email.strip(), wechat_openid.strip()
    errors = intake.ticket_check(
        phone=phone,
        summary=summary,
        kind=kind,
        channel=channel,
        handling=handling,
        urgency=urgency,
        decline_reason=decline_reason,
        answer=answer,
        has_forward_to=forward_to is not None,
        has_related_to=related_to is not None,
        email=email,
        wechat_openid=wechat_openid,
    )
    if errors:
        raise DomainError("；".join(errors), code="invalid_ticket")
    version = policy_version or default_policy_version()
    if version is None:
        raise DomainError("尚未设置新工单使用的时限政策，请管理员在「时限政策」中设置")

    with transaction.atomic():
        contact = {"phone": phone} if phone else {"email": email, "wechat_openid": wechat_openid}
        citizen = Citizen.objects.filter(**contact, name=name.strip()).first()
        if citizen is None:
            citizen = Citizen.objects.create(
                phone=phone,
                email=email,
                wechat_openid=wechat_openid,
                name=name.strip(),
                address=citizen_address.strip(),
                prefers_confidential=confidential,
            )
            intake.mark_new_caller(citizen)
        now = clock.now()
        ticket = Ticket(
            number=intake.next_numbers(now)[0],
            channel=channel,
            kind=kind,
            urgency=urgency,
            summary=summary,
            detail=detail,
            address=address,
            region=region,
            confidential=confidential or citizen.prefers_confidential,
            citizen=citizen,
            operator=actor,
            received_at=now,
            handling=handling,
            decline_reason=decline_reason if handling == Handling.DECLINE else "",
            answer=answer.strip(),
            policy_version=version,
            related_to=related_to,
            topic=topic,
            catalog_item=catalog_item,
        )
        intake.initial_state(ticket, handling, now)  # one INSERT, no UPDATE after it
        ticket.save(force_insert=True)
        progress = ""
        if related_to is not None:
            progress = f"原工单 {related_to.number} 当前状态：{related_to.get_status_display()}"
        received = _event(
            ticket,
            "received",
            actor,
            guidance=DECLINE_GUIDANCE.get(decline_reason, ""),
            progress=progress,
            handling=handling,
            channel=channel,
            operator_no=getattr(actor, "operator_no", ""),
            decline_reason=decline_reason,
            forward_to=forward_to.code if forward_to else None,
            related_to=related_to.number if related_to else None,
        )
    # What a caller shows of the new ticket is known: no parts yet, this one event.
    intake.remember(ticket, assignments=[], events=[received])
    return ticket


# --- dispatch (R-HM-4 to R-HM-7, R-HM-10) ------------------------------------------------


def ticket_dispatch(
    *,
    actor,
    ticket: Ticket,
    lead: Unit,
    assists: list[Unit] | tuple[Unit, ...] = (),
    mode: str = Mode.WRITTEN,
    catalog_days: int | None = None,
    instruction: str = "",
    instruction_days: int | None = None,
    coordinated: bool = False,
    catalog_item: CatalogItem | None = None,
) -> Ticket:
    """Send the ticket to a lead unit and co-units; every part gets its deadlines.

    With a dispatch catalog item, its deadline applies where the policy defers to the
    catalog (ZS 15, R-HM-9)."""
    require(actor, Capability.DISPATCH)
    if mode not in {m.value for m in Mode}:
        raise DomainError("未知的办理方式（电话交办、书面交办或领导批办）")
    if catalog_days is not None and not 1 <= catalog_days <= 365:
        raise DomainError("派单目录时限应为 1 至 365 个工作日")
    if instruction_days is not None and not 1 <= instruction_days <= 365:
        raise DomainError("批示时限应为 1 至 365 个工作日")
    if not lead.active or any(not u.active for u in assists):
        raise DomainError("不能派给已停用的单位")
    if not lead.receives_tickets or any(not u.receives_tickets for u in assists):
        raise DomainError("不能派给人民政府或热线中心本身，请选择承办单位")
    if not lead.may_lead:
        raise DomainError("村（居）民委员会只能协办，不能作为牵头单位（中山 第六条）")
    if lead in assists or len(set(assists)) != len(assists):
        raise DomainError("协办单位不能重复，也不能与牵头单位相同")
    with transaction.atomic():
        ticket = _lock(ticket)
        # A leader's instruction recorded on a submission carries over (R-HM-6).
        instruction = instruction.strip() or ticket.instruction
        instruction_days = instruction_days or ticket.instruction_days
        if mode == Mode.INSTRUCTION and not instruction:
            raise DomainError("领导批办须录入批示内容")
        ticket.mode = mode
        if catalog_item is not None:
            ticket.catalog_item = catalog_item
            catalog_days = catalog_days or catalog_item.deadline_days
        ticket.catalog_days = catalog_days
        ticket.instruction = instruction
        ticket.instruction_days = instruction_days
        _move(ticket, "dispatch")  # the one UPDATE of the ticket, with the fields above
        now = clock.now()
        existing = list(ticket.assignments.select_related("unit"))
        previous = {a.unit_id: a for a in existing if a.role == Assignment.Role.LEAD}
        policy = ticket.policy_version.as_policy()
        calendar = work_calendar()  # once for every unit of the dispatch
        made = []
        for unit, role in [(lead, Assignment.Role.LEAD)] + [
            (u, Assignment.Role.ASSIST) for u in assists
        ]:
            first = previous.get(unit.pk)
            assignment = Assignment(
                ticket=ticket,
                unit=unit,
                role=role,
                mode=mode,
                dispatched_at=now,
                first_received_at=first.first_received_at if first else now,
                clock_start=now,
                coordinated=coordinated and role == Assignment.Role.LEAD,
            )
            if first and policy.clock.on_return_approved == ClockStart.FIRST_RECEIPT:
                assignment.clock_start = first.first_received_at
            result = _dispatch_deadlines(ticket, assignment, calendar, policy)
            assignment.save()
            made.append((assignment, result))
        lead_assignment, lead_result = made[0]
        phone = lead.liaison_phone or lead.public_phone or "—"
        notice = (
            f"您的诉求（{ticket.number}）已于 {_fmt(now)} 转交{lead.name}办理，"
            f"联系人{lead.liaison_name or '—'}，电话{phone}，"
            f"预计 {_fmt(lead_result.reply.due)} 前答复。"
        )
        messages = _citizen_message(ticket, notice, key=f"dispatch:{lead_assignment.pk}")
        for assignment, result in made:
            messages += _unit_messages(
                ticket,
                assignment,
                "新工单待签收",
                f"{ticket.number}「{ticket.summary}」请于 "
                f"{_fmt(result.sign.due if result.sign else None)} 前签收，"
                f"{_fmt(result.reply.due)} 前办结。",
            )
        notify_many(messages)  # one INSERT for the caller's SMS and every unit's inbox
        _event(
            ticket,
            "dispatched",
            actor,
            assignment=lead_assignment,
            assists=[u.code for u in assists],
            mode=mode,
            reply_due=_fmt(lead_result.reply.due),
            citizen_notice=notice,
            rule=lead_result.rule.label,
            citation=lead_result.rule.citation,
            deadline_from="catalog"
            if lead_result.rule.reply.unit == PeriodUnit.CATALOG
            else "rule",
        )
    # The caller's answer lists the ticket's parts: known here, not read again.
    intake.remember(ticket, assignments=existing + [a for a, _ in made])
    return ticket


def _dispatch_deadlines(ticket: Ticket, assignment: Assignment, calendar, policy):
    """The assignment's deadlines; a rule that takes them from the dispatch catalog, for
    a matter without a catalog item, asks the dispatcher for the deadline instead of
    failing: dispatch by statutory duty, and every ticket states its deadline (ZS 15,
    R-HM-9)."""
    try:
        return deadlines.refresh(ticket, assignment, calendar)
    except PolicyError as exc:
        rule = policy.rule_for(Kind(ticket.kind), Mode(assignment.mode), Urgency(ticket.urgency))
        if rule.reply.unit == PeriodUnit.CATALOG and ticket.catalog_days is None:
            raise DomainError(
                f"政策规则「{rule.label}」按派单目录确定办理时限，但本事项没有派单目录事项："
                "请按法定职责填写办理时限（工作日）（中山 第十五条）",
                code="deadline_required",
            ) from None
        raise DomainError(str(exc), code="policy_incomplete") from None


# --- unit processing (R-UN-1 to R-UN-6) ----------------------------------------------------


def assignment_sign(*, actor, assignment: Assignment, handler=None) -> Assignment:
    """Sign for the assignment (签收) and name the internal handler."""
    _require_member(actor, assignment)
    with transaction.atomic():
        ticket, assignment = _lock_assignment(assignment)
        if not assignment.active or assignment.state != Assignment.State.DISPATCHED:
            raise Conflict("该工单已签收或已不在本单位办理")
        if assignment.role == Assignment.Role.LEAD:
            _move(ticket, "sign")
        now = clock.now()
        assignment.state = Assignment.State.HANDLING
        assignment.signed_at = now
        assignment.contact_due = followup.contact_due(ticket, now)  # R-UN-4
        assignment.handler = handler or actor
        assignment.save()
        late = bool(assignment.sign_due and now > assignment.sign_due)
        _event(
            ticket,
            "signed",
            actor,
            assignment=assignment,
            late=late,
            handler=assignment.handler.get_full_name(),
        )
    return assignment


def send_back_request(
    *,
    actor,
    assignment: Assignment,
    reason: str,
    legal_basis: str,
    suggested_unit: Unit | None = None,
) -> UnitRequest:
    """Ask to send the ticket back as not this unit's duty (R-UN-2)."""
    _require_member(actor, assignment)
    if not reason.strip() or not legal_basis.strip():
        raise DomainError("退回须说明理由和依据")
    with transaction.atomic():
        ticket, assignment = _lock_assignment(assignment)
        if assignment.role != Assignment.Role.LEAD or not assignment.active:
            raise DomainError("只有牵头单位可以申请退回；协办事项请与牵头单位沟通")
        if assignment.coordinated:
            raise DomainError("已经协调确定由本单位办理，不能再退回（中山 第十七条）")
        now = clock.now()
        if assignment.return_until and now > assignment.return_until:
            raise DomainError(f"已超过退回时限（{_fmt(assignment.return_until)}），不予退回")
        _move(ticket, "send_back")
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
        _event(
            ticket,
            "send_back_requested",
            actor,
            assignment=assignment,
            reason=reason,
            legal_basis=legal_basis,
            suggested_unit=suggested_unit.code if suggested_unit else None,
        )
    return request


def _pending(request: UnitRequest, kind: str) -> UnitRequest:
    locked = UnitRequest.objects.select_for_update().get(pk=request.pk)
    if locked.kind != kind or locked.decision != UnitRequest.Decision.PENDING:
        raise Conflict("该申请已处理")
    return locked


def send_back_decide(*, actor, request: UnitRequest, approve: bool, note: str = "") -> Ticket:
    """Approve: back to dispatch, the next unit's clock starts anew. Refuse: the unit goes
    on, its deadline from first receipt with the review time not counted (R-DL-3, ZS 17)."""
    require(actor, Capability.DISPATCH)
    if not note.strip():  # both ways: the unit and the next unit read why (R-UN-2)
        raise DomainError("同意退回时请说明理由" if approve else "不同意退回时请说明理由")
    with transaction.atomic():
        ticket = _lock(request.assignment.ticket)
        request = _pending(request, UnitRequest.Kind.SEND_BACK)
        assignment = Assignment.objects.select_related("unit").get(pk=request.assignment_id)
        now = clock.now()
        request.decision = (
            UnitRequest.Decision.APPROVED if approve else UnitRequest.Decision.REFUSED
        )
        request.decided_by, request.decided_at, request.decision_note = actor, now, note
        request.save()
        _close_pauses(assignment, now)
        if approve:
            _move(ticket, "send_back_approve")
            _active(ticket).update(active=False, state=Assignment.State.RETURNED)
        else:
            _move(ticket, "send_back_refuse")
            assignment.state = Assignment.State.HANDLING
            policy = ticket.policy_version.as_policy()
            if policy.clock.on_return_refused == ClockStart.FIRST_RECEIPT:
                assignment.clock_start = assignment.first_received_at
            _refresh(ticket, assignment)
        _event(
            ticket,
            "send_back_approved" if approve else "send_back_refused",
            actor,
            assignment=assignment,
            note=note,
            improper=not approve,
            reply_due=None if approve else _fmt(assignment.reply_due),
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
    _require_member(actor, assignment)
    if not reason.strip():
        raise DomainError("申请延期须说明理由")
    if days < 1:
        raise DomainError("延期天数至少为 1 个工作日")
    with transaction.atomic():
        ticket, assignment = _lock_assignment(assignment)
        states.check("extension_request", ticket.status)
        if not assignment.active:
            raise Conflict("该工单已不在本单位办理")
        _check_extension(ticket, assignment, days)
        if assignment.requests.filter(
            kind=UnitRequest.Kind.EXTENSION, decision=UnitRequest.Decision.PENDING
        ).exists():
            raise Conflict("已有待审核的延期申请")
        request = UnitRequest.objects.create(
            assignment=assignment,
            kind=UnitRequest.Kind.EXTENSION,
            reason=reason.strip(),
            days=days,
            requested_by=actor,
        )
        _bump(ticket)
        _event(
            ticket, "extension_requested", actor, assignment=assignment, reason=reason, days=days
        )
    return request


def extension_decide(
    *, actor, request: UnitRequest, approve: bool, note: str = "", days: int | None = None
) -> UnitRequest:
    """Approve or refuse; the citizen is told the reason and the new deadline (ZS 19)."""
    require(actor, Capability.DISPATCH)
    with transaction.atomic():
        ticket = _lock(request.assignment.ticket)
        request = _pending(request, UnitRequest.Kind.EXTENSION)
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
            _refresh(ticket, assignment)
            notice = (
                f"您的诉求（{ticket.number}）因「{request.reason}」延期办理，"
                f"新的办理期限为 {_fmt(assignment.reply_due)}。"
            )
            _tell_citizen(ticket, notice, key=f"extension:{request.pk}")
        _bump(ticket)
        _event(
            ticket,
            "extension_approved" if approve else "extension_refused",
            actor,
            assignment=assignment,
            days=granted,
            note=note,
            reply_due=_fmt(assignment.reply_due),
            citizen_notice=notice,
        )
    return request


def assist_report(*, actor, assignment: Assignment, text: str) -> Assignment:
    """A co-unit reports its part to the lead, who answers the citizen once (R-HM-7);
    a sub-unit reports its result to the unit that passed the work down (R-HM-11)."""
    _require_member(actor, assignment)
    if not text.strip():
        raise DomainError("请填写协办意见")
    with transaction.atomic():
        ticket, assignment = _lock_assignment(assignment)
        states.check("assist_report", ticket.status)
        if assignment.role == Assignment.Role.LEAD or not assignment.active:
            raise DomainError("只有在办的协办单位或下级单位报送办理意见")
        if assignment.state == Assignment.State.REPLIED:
            raise Conflict("协办意见已报送")
        assignment.state, assignment.replied_at = Assignment.State.REPLIED, clock.now()
        assignment.save()
        _bump(ticket)
        _event(ticket, "assist_reported", actor, assignment=assignment, text=text.strip())
    return assignment


def assignment_pass_down(
    *, actor, assignment: Assignment, unit: Unit, note: str = ""
) -> Assignment:
    """A unit passes its part down to one of its own sub-units, keeping responsibility
    (R-HM-11, KM 14(二)). The sub-unit's deadline is the unit's own."""
    _require_member(actor, assignment)
    if unit.parent_id != assignment.unit_id:
        raise DomainError("只能转交本单位的下级单位")
    if not unit.active:
        raise DomainError("不能转交已停用的单位")
    with transaction.atomic():
        ticket, assignment = _lock_assignment(assignment)
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
        _bump(ticket)
        _event(
            ticket,
            "passed_down",
            actor,
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
    _require_member(actor, parent)
    if not accept and not note.strip():
        raise DomainError("退回下级单位时请说明原因")
    with transaction.atomic():
        ticket, sub = _lock_assignment(sub)
        states.check("sub_review", ticket.status)
        if sub.state != Assignment.State.REPLIED:
            raise Conflict("下级单位尚未报送办理结果")
        sub.state = Assignment.State.CLOSED if accept else Assignment.State.HANDLING
        sub.save()
        _bump(ticket)
        _event(
            ticket, "sub_accepted" if accept else "sub_refused", actor, assignment=sub, note=note
        )
    return sub


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
    _require_member(actor, assignment)
    if not text.strip():
        raise DomainError("请填写答复内容")
    if result and result not in Reply.Result.values:
        raise DomainError("未知的办理结果", code="invalid_result")
    if result in (Reply.Result.PARTLY, Reply.Result.UNRESOLVED) and not result_reason.strip():
        raise DomainError("部分解决或未解决时请说明原因", code="result_reason_required")
    with transaction.atomic():
        ticket, assignment = _lock_assignment(assignment)
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
        _bump(ticket)
        _event(
            ticket,
            "reply_submitted",
            actor,
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
    _require_member(actor, reply.assignment)
    with transaction.atomic():
        ticket, assignment = _lock_assignment(reply.assignment)
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        if reply.state != Reply.State.SUBMITTED:
            raise Conflict("单位负责人已审核该答复，不能撤回")
        reply.state = Reply.State.WITHDRAWN
        reply.save(update_fields=["state"])
        _bump(ticket)
        _event(ticket, "reply_withdrawn", actor, assignment=assignment, reply=reply.pk)
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
        ticket, assignment = _lock_assignment(assignment)
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        if reply.state != Reply.State.SUBMITTED:
            raise Conflict("该答复已审核")
        now = clock.now()
        reply.review_note = note
        if approve:
            _move(ticket, "reply_approve")
            reply.state, reply.approved_by, reply.approved_at = Reply.State.APPROVED, actor, now
            assignment.state, assignment.replied_at = Assignment.State.REPLIED, now
            assignment.save()
            Pause.objects.create(assignment=assignment, start=now, reason=REVIEW_PAUSE)
        else:
            states.check("reply_reject", ticket.status)
            reply.state = Reply.State.REJECTED
            _bump(ticket)
        reply.save()
        late = bool(approve and assignment.reply_due and now > assignment.reply_due)
        _event(
            ticket,
            "reply_approved" if approve else "reply_rejected",
            actor,
            assignment=assignment,
            reply=reply.pk,
            note=note,
            late=late,
        )
    return reply


# --- hotline review, return visit, redo, screening (R-UN-6, R-FB) -----------------------


def completion_decide(*, actor, ticket: Ticket, approve: bool, note: str = "") -> Ticket:
    """Approve the completion, or send it back to handling with the deadline from the
    first receipt, the review time not counted (R-UN-6, ZS 22)."""
    require(actor, Capability.DISPATCH)
    if not approve and not note.strip():
        raise DomainError("不同意办结时请说明理由")
    with transaction.atomic():
        ticket = _lock(ticket)
        lead = _lead(ticket)
        now = clock.now()
        _close_pauses(lead, now)
        reply = lead.replies.filter(state=Reply.State.APPROVED).last()
        if approve:
            _move(ticket, "completion_approve")
            lead.state = Assignment.State.CLOSED
            lead.save(update_fields=["state"])
        else:
            _move(ticket, "completion_refuse")
            if reply:
                reply.state, reply.review_note = Reply.State.REFUSED, note
                reply.save()
            lead.state = Assignment.State.HANDLING
            policy = ticket.policy_version.as_policy()
            if policy.clock.on_completion_refused == ClockStart.FIRST_RECEIPT:
                lead.clock_start = lead.first_received_at
            _refresh(ticket, lead)
        _event(
            ticket,
            "completion_approved" if approve else "completion_refused",
            actor,
            assignment=lead,
            note=note,
            reply_due=_fmt(lead.reply_due),
        )
    return ticket


def visit_record(
    *,
    actor,
    ticket: Ticket,
    satisfaction: str,
    resolved: bool,
    channel: str = Visit.Channel.PHONE,
    note: str = "",
    unit_satisfaction: str = "",
    operator_satisfaction: str = "",
) -> Visit:
    """Record the return visit: satisfaction with the result, the handling unit and the
    operator; satisfied or basically satisfied closes the ticket (R-FB-2, R-AS-3)."""
    require(actor, Capability.VISIT)
    if satisfaction not in Visit.Satisfaction.values:
        raise DomainError("请选择满意度")
    for value in (unit_satisfaction, operator_satisfaction):
        if value and value not in Visit.Satisfaction.values:
            raise DomainError("满意度取值无效")
    if channel not in Visit.Channel.values:
        raise DomainError("回访方式无效")
    with transaction.atomic():
        ticket = _lock(ticket)
        states.check("visit", ticket.status)
        round_, attempt = visit_round(ticket)
        visit = Visit.objects.create(
            ticket=ticket,
            satisfaction=satisfaction,
            unit_satisfaction=unit_satisfaction,
            operator_satisfaction=operator_satisfaction,
            resolved=resolved,
            channel=channel,
            note=note,
            by=actor,
            round=round_,
            attempt=attempt,
        )
        ticket.visit_retry_at = None  # reached: no further attempt is due
        if satisfaction != Visit.Satisfaction.UNSATISFIED:
            _move(ticket, "close")
            ticket.closed_at = clock.now()
            ticket.save(update_fields=["closed_at"])
        else:
            ticket.version += 1
            ticket.save(update_fields=["version", "visit_retry_at"])
        _event(
            ticket,
            "visited",
            actor,
            satisfaction=satisfaction,
            unit_satisfaction=unit_satisfaction,
            operator_satisfaction=operator_satisfaction,
            resolved=resolved,
            channel=channel,
            note=note,
            round=round_,
            attempt=attempt,
        )
    return visit


def visit_round(ticket: Ticket) -> tuple[int, int]:
    """The round of the next visit (one more after each redo) and its attempt number."""
    round_ = ticket.events.filter(kind="redo").count() + 1
    attempt = ticket.visits.filter(round=round_).count() + 1
    return round_, attempt


def ticket_redo(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """Unsatisfied or untrue: back to the lead unit to handle again (R-FB-3)."""
    if not (can(actor, Capability.VISIT) or can(actor, Capability.DISPATCH)):
        raise PermissionDenied("只有回访员或派单员可以发起重办")
    if not reason.strip():
        raise DomainError("请填写重办原因")
    with transaction.atomic():
        ticket = _lock(ticket)
        lead = _lead(ticket)
        _move(ticket, "redo")
        policy = ticket.policy_version.as_policy()
        now = clock.now()
        lead.state = Assignment.State.HANDLING
        lead.extra_days = 0
        lead.clock_start = (
            now if policy.clock.on_redo == ClockStart.RESTART else (lead.first_received_at)
        )
        _refresh(ticket, lead)
        redo_count = ticket.events.filter(kind="redo").count() + 1
        _event(
            ticket,
            "redo",
            actor,
            assignment=lead,
            reason=reason,
            count=redo_count,
            reply_due=_fmt(lead.reply_due),
        )
    return ticket


def ticket_screen(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """Rule the ticket validly completed: the unit did its duty (R-FB-4, KJ 三(三))."""
    if not (can(actor, Capability.VISIT) or can(actor, Capability.DISPATCH)):
        raise PermissionDenied("只有回访员或派单员可以提请甄别")
    if not reason.strip():
        raise DomainError("请填写甄别理由")
    with transaction.atomic():
        ticket = _lock(ticket)
        _move(ticket, "screen")
        ticket.screened, ticket.closed_at = True, clock.now()
        ticket.save(update_fields=["screened", "closed_at"])
        _event(ticket, "screened", actor, reason=reason)
    return ticket


def ticket_merge(*, actor, ticket: Ticket, into: Ticket, reason: str = "") -> Ticket:
    """Merge a duplicate (并单) into an open or completed ticket of the same matter."""
    require(actor, Capability.DISPATCH)
    if ticket.pk == into.pk:
        raise DomainError("不能与自身合并")
    with transaction.atomic():
        first, second = sorted([ticket, into], key=lambda t: t.pk)
        locked = {t.pk: _lock(t) for t in (first, second)}  # one order: no deadlock
        ticket, into = locked[ticket.pk], locked[into.pk]
        if into.status in (Status.MERGED, Status.DECLINED):
            raise DomainError("目标工单已合并或不予受理")
        if into.status == Status.CLOSED:
            ticket.decline_reason, ticket.related_to = DeclineReason.REPEAT, into
            _move(ticket, "repeat_of_closed")
            _active(ticket).update(active=False, state=Assignment.State.CLOSED)
            _event(
                ticket,
                "repeat_linked",
                actor,
                related_to=into.number,
                reason=reason,
                guidance=DECLINE_GUIDANCE[DeclineReason.REPEAT],
                progress=f"原工单 {into.number} 已办结归档",
            )
            return ticket
        _move(ticket, "merge")
        ticket.merged_into = into
        ticket.save(update_fields=["merged_into"])
        _active(ticket).update(active=False, state=Assignment.State.CLOSED)
        _event(ticket, "merged", actor, into=into.number, reason=reason)
    return ticket


def ticket_annotate(*, actor, ticket: Ticket, text: str) -> TicketEvent:
    """A note on any ticket, closed ones included; the only write a closed ticket takes
    (R-DA-1)."""
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise PermissionDenied("无权查看该工单")
    if not text.strip():
        raise DomainError("请填写备注")
    with transaction.atomic():
        ticket = _lock(ticket)
        states.check("annotate", ticket.status)
        return _event(ticket, "annotated", actor, text=text.strip())


def abuse_record(*, actor, citizen: Citizen, kind: str, note: str = "") -> AbuseRecord:
    """Record abusive behaviour against the caller's record: warned first, handed to the
    police when serious (R-IN-5, KM 25-26, ZS 37)."""
    require(actor, Capability.INTAKE)
    if kind not in AbuseRecord.Kind.values:
        raise DomainError("未知的恶意来电类型")
    with transaction.atomic():
        record = AbuseRecord.objects.create(citizen=citizen, kind=kind, note=note, by=actor)
        audit(
            kind="abuse_recorded",
            actor=actor,
            object_type="citizen",
            object_id=citizen.pk,
            abuse_kind=kind,
            total=citizen.abuse_records.count(),
        )
    return record


def attachment_add(*, actor, ticket: Ticket, upload, evidence: bool = False) -> Attachment:
    """Attach a file; evidence of a complaint stays with the hotline (KM 19)."""
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise PermissionDenied("无权查看该工单")
    if evidence and not can(actor, Capability.VIEW_CONFIDENTIAL):
        raise PermissionDenied("承办单位不能上传投诉证据材料")
    head = upload.read(16)
    upload.seek(0)
    content_type = attachments.check(upload.name, head, upload.size)
    with transaction.atomic():
        ticket = _lock(ticket)
        states.check("annotate", ticket.status)
        attachment = Attachment(
            ticket=ticket,
            name=upload.name[:200],
            size=upload.size,
            content_type=content_type,
            evidence=evidence,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        _event(
            ticket, "attached", actor, name=attachment.name, evidence=evidence, size=attachment.size
        )
    return attachment


def submission_create(
    *, actor, tickets: list[Ticket], kind: str, title: str, body: str
) -> Submission:
    """Put wide-impact tickets before the city leaders (呈批表 / 专报, R-HM-6, KM 12(七)).

    Numbered by date like every paper the hotline sends up (R-DA-1, LX 四6)."""
    require(actor, Capability.DISPATCH)
    if kind not in Submission.Kind.values:
        raise DomainError("请选择呈批表或专报")
    if not tickets or not title.strip() or not body.strip():
        raise DomainError("呈批须有工单、标题和正文")
    with transaction.atomic():
        locked = [_lock(t) for t in sorted(tickets, key=lambda t: t.pk)]
        for ticket in locked:
            if ticket.status in states.FINAL:
                raise Conflict(f"工单 {ticket.number} 已结束，不能呈批")
        now = clock.now()
        letters = "CP" if kind == Submission.Kind.SUBMISSION else "ZB"  # 呈批 / 专报
        prefix = f"{letters}{timezone.localtime(now):%Y%m%d}"
        count = Submission.objects.filter(number__startswith=prefix).count()
        made = Submission.objects.create(
            number=f"{prefix}{count + 1:03d}",
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            created_by=actor,
        )
        made.tickets.set(locked)
        for ticket in locked:
            _bump(ticket)
            _event(ticket, "submitted_to_leader", actor, submission=made.number, title=title)
    return made


def submission_instruct(
    *, actor, submission: Submission, instruction: str, days: int | None = None
) -> Submission:
    """A city leader's instruction (批示); dispatching the tickets in mode `instruction`
    then carries its text and its own deadline (R-HM-6, LX 四3)."""
    require(actor, Capability.INSTRUCT)
    if not instruction.strip():
        raise DomainError("请填写批示内容")
    if days is not None and not 1 <= days <= 365:
        raise DomainError("批示时限应为 1 至 365 个工作日")
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.instructed_at:
            raise Conflict("该呈批件已有批示")
        submission.instruction, submission.instruction_days = instruction.strip(), days
        submission.instructed_by, submission.instructed_at = actor, clock.now()
        submission.save()
        for ticket in submission.tickets.all():
            ticket = _lock(ticket)
            ticket.instruction, ticket.instruction_days = submission.instruction, days
            ticket.version += 1
            ticket.save(update_fields=["instruction", "instruction_days", "version"])
            _event(
                ticket,
                "instructed",
                actor,
                submission=submission.number,
                instruction=submission.instruction,
                days=days,
            )
    return submission
