"""What the citizen portal reads: a ticket or online request found by number and phone,
its progress timeline in plain words, a verified phone's own list, and whether it can be
rated online now.

Public reads are scoped by the phone itself (design rule 5: a citizen sees their own):
nothing is found without both the number and the phone that asked, and the timeline is
built from what a citizen is told, never from staff names, notes or evidence (R-FB-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from hotline.channels.models import OnlineRequest
from hotline.channels.progress import final_reply
from hotline.tickets.models import Ticket, Visit
from hotline.tickets.states import Status

NO_MATCH = "号码与工单不匹配"
LIST_LIMIT = 50


@dataclass(frozen=True)
class Step:
    at: datetime
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Found:
    """A tracked item: an online request not yet accepted, or a ticket."""

    number: str
    subject: str
    state: str
    steps: list[Step]
    ticket: Ticket | None
    request: OnlineRequest | None


def _fmt(moment: datetime | str | None) -> str:
    if isinstance(moment, str):
        return moment
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _clean_number(number: object) -> str:
    return number.strip().upper() if isinstance(number, str) and len(number) <= 32 else ""


def tickets_of(phone: str) -> Q:
    """The tickets a phone asked for: as the caller, or through its online request."""
    return Q(citizen__phone=phone) | Q(online_requests__phone=phone)


def ticket_steps(ticket: Ticket) -> list[Step]:
    """The ticket's progress in plain words (R-FB-1, R-HM-10, ZS 19)."""
    steps: list[Step] = []
    for event in ticket.events.select_related("unit").order_by("at", "id"):
        data, unit = event.data or {}, event.unit.name if event.unit else ""
        if event.kind == "received":
            steps.append(Step(event.at, "已受理", f"工单编号 {ticket.number}"))
        elif event.kind == "dispatched":
            due = _fmt(data.get("reply_due"))
            steps.append(Step(event.at, "已转交承办单位", f"承办单位：{unit}，办理期限：{due}"))
        elif event.kind == "send_back_approved":
            steps.append(Step(event.at, "热线重新派单", "原承办单位申请退回，热线重新确定承办单位"))
        elif event.kind == "extension_approved":
            steps.append(Step(event.at, "延期办理", data.get("citizen_notice", "")))
        elif event.kind == "reply_approved":
            steps.append(Step(event.at, "承办单位已答复", unit))
        elif event.kind == "completion_approved":
            steps.append(Step(event.at, "已办结", f"办理结果：{final_reply(ticket) or '—'}"))
        elif event.kind == "visited":
            steps.append(Step(event.at, "已回访"))
        elif event.kind == "redo":
            due = _fmt(data.get("reply_due"))
            steps.append(Step(event.at, "重新办理", f"新的办理期限：{due}"))
        elif event.kind == "screened":
            steps.append(Step(event.at, "经甄别已办结"))
        elif event.kind == "merged":
            steps.append(Step(event.at, "与相同诉求合并办理"))
    if ticket.status == Status.DECLINED:
        reason = ticket.get_decline_reason_display() if ticket.decline_reason else ""
        steps.append(Step(ticket.received_at, "不予受理", reason))
    if ticket.status == Status.CLOSED and ticket.closed_at:
        steps.append(Step(ticket.closed_at, "已办结归档"))
    return steps


def request_steps(request: OnlineRequest) -> list[Step]:
    steps = [Step(request.received_at, "已收到诉求", f"受理编号 {request.number}")]
    if request.state == OnlineRequest.State.PENDING:
        steps.append(Step(request.received_at, "等待热线审核受理"))
    elif request.state == OnlineRequest.State.DECLINED:
        steps.append(
            Step(request.handled_at or request.received_at, "不予受理", request.decline_reason)
        )
    elif request.state == OnlineRequest.State.MERGED:
        steps.append(Step(request.handled_at or request.received_at, "与相同诉求合并办理"))
    return steps


def _found_ticket(ticket: Ticket, request: OnlineRequest | None = None) -> Found:
    steps = (request_steps(request) if request else []) + ticket_steps(ticket)
    steps.sort(key=lambda s: s.at)
    return Found(ticket.number, ticket.summary, ticket.get_status_display(), steps, ticket, request)


def track(*, number: object, phone: str) -> Found | None:
    """The ticket or online request with this number asked by this phone, else None
    (the caller answers NO_MATCH whatever was wrong)."""
    number = _clean_number(number)
    if not number or not phone:
        return None
    ticket = Ticket.objects.filter(tickets_of(phone), number=number).distinct().first()
    if ticket is not None:
        return _found_ticket(ticket, ticket.online_requests.filter(phone=phone).first())
    request = OnlineRequest.objects.filter(number=number, phone=phone).select_related("ticket")
    found = request.first()
    if found is None:
        return None
    if found.ticket is not None:
        return _found_ticket(found.ticket, found)
    return Found(
        found.number or "",
        found.subject,
        found.get_state_display(),
        request_steps(found),
        None,
        found,
    )


def own_list(*, phone: str) -> list[dict[str, Any]]:
    """A verified phone's tickets and not yet accepted requests, newest first."""
    rows: list[dict[str, Any]] = [
        {
            "number": t.number,
            "subject": t.summary,
            "state": t.get_status_display(),
            "at": t.received_at,
        }
        for t in Ticket.objects.filter(tickets_of(phone))
        .distinct()
        .order_by("-received_at")[:LIST_LIMIT]
    ]
    waiting = OnlineRequest.objects.filter(phone=phone, ticket__isnull=True).order_by(
        "-received_at"
    )[:LIST_LIMIT]
    rows += [
        {
            "number": r.number,
            "subject": r.subject,
            "state": r.get_state_display(),
            "at": r.received_at,
        }
        for r in waiting
    ]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:LIST_LIMIT]


def can_rate(*, phone: str, ticket: Ticket) -> bool:
    """Completed, asked online by this phone with a web or SMS visit chosen, and not yet
    rated in this round (a redo opens a new round) (R-FB-2)."""
    if ticket.status != Status.COMPLETED:
        return False
    chosen = ticket.online_requests.filter(phone=phone, reply_channel__in=("web", "sms"))
    if not chosen.exists():
        return False
    last_redo = ticket.events.filter(kind="redo").order_by("-at").values_list("at", flat=True)
    since = last_redo.first()
    visits = Visit.objects.filter(ticket=ticket)
    if since is not None:
        visits = visits.filter(at__gt=since)
    return not visits.exists()
