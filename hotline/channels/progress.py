"""What a citizen who wrote online is told about their ticket, in plain words (R-FB-1,
R-HM-10): the progress answer to a query (SMS "查询 …", WeChat), and the notices that go
out by e-mail (or WeChat) to those who chose it, as the ticket services tell callers by
SMS. Never a staff name, an internal note or evidence."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from hotline.channels.models import Cursor, OnlineRequest, ReplyChannel
from hotline.notifications.models import Channel as NotifyChannel
from hotline.notifications.services import notify
from hotline.tickets.models import Reply, Ticket, TicketEvent
from hotline.tickets.states import Status

NOTICE_KINDS = ("dispatched", "extension_approved", "completion_approved", "redo")


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def final_reply(ticket: Ticket) -> str:
    reply = (
        Reply.objects.filter(assignment__ticket=ticket, state=Reply.State.APPROVED)
        .order_by("-approved_at", "-id")
        .first()
    )
    return reply.text if reply else ""


def progress_text(ticket: Ticket) -> str:
    """One message: the status, where the ticket is, its deadline, the latest extension
    reason (ZS 19) and, once completed, the reply."""
    parts = [
        f"工单 {ticket.number}（{ticket.summary[:30]}）当前状态：{ticket.get_status_display()}。"
    ]
    lead = ticket.lead
    if lead is not None and ticket.status in (Status.DISPATCHED, Status.HANDLING, Status.REPLIED):
        parts.append(f"承办单位：{lead.unit.name}，办理期限 {_fmt(lead.reply_due)}。")
        extension = ticket.events.filter(kind="extension_approved").order_by("-at", "-id").first()
        if extension and extension.data.get("citizen_notice"):
            parts.append(extension.data["citizen_notice"])
    if ticket.status in (Status.COMPLETED, Status.CLOSED):
        reply = final_reply(ticket)
        if reply:
            parts.append(f"办理结果：{reply}")
    return "".join(parts)


def notice_text(event: TicketEvent) -> str:
    ticket = event.ticket
    if event.kind in ("dispatched", "extension_approved"):
        return event.data.get("citizen_notice", "")
    if event.kind == "completion_approved":
        return f"您的诉求（{ticket.number}）已办结。办理结果：{final_reply(ticket) or '—'}"
    if event.kind == "redo":
        return f"您的诉求（{ticket.number}）已交承办单位重新办理。"
    return ""


def _wants_online_notice(request: OnlineRequest) -> bool:
    """Citizens who chose e-mail or WeChat, or who left neither a phone (the ticket
    services tell phones by SMS themselves)."""
    if request.reply_channel in (ReplyChannel.EMAIL, ReplyChannel.WECHAT):
        return True
    return not request.phone


def send_notices(*, limit: int = 500) -> dict[str, int]:
    """The tick's job: queue a notice for each new progress event of a ticket that came
    from an online request whose citizen hears back by e-mail or WeChat. Keyed by the
    event, so a pass repeated after a crash queues nothing twice."""
    sent = 0
    with transaction.atomic():
        cursor, _ = Cursor.objects.select_for_update().get_or_create(name="progress_notices")
        # Only tickets that came through an online channel; the cursor moves over the rest.
        upper = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        events = list(
            TicketEvent.objects.filter(
                pk__gt=cursor.position,
                pk__lte=upper,
                kind__in=NOTICE_KINDS,
                ticket__online_requests__isnull=False,
            )
            .select_related("ticket")
            .distinct()
            .order_by("pk")[:limit]
        )
        if len(events) < limit:
            cursor.position = upper
        elif events:
            cursor.position = events[-1].pk
        cursor.save(update_fields=["position"])
        if not events:
            return {"sent": 0}
        requests = {
            r.ticket_id: r
            for r in OnlineRequest.objects.filter(
                ticket_id__in={e.ticket_id for e in events}, state=OnlineRequest.State.ACCEPTED
            )
        }
        for event in events:
            request = requests.get(event.ticket_id)
            body = notice_text(event)
            if request is None or not body:
                continue
            if event.kind == "completion_approved" and request.channel == "transfer":
                from hotline.channels.transfers import report_back

                report_back(
                    request=request,
                    state="completed",
                    number=event.ticket.number,
                    result=final_reply(event.ticket),
                )
                sent += 1
                continue
            if event.kind == "completion_approved" and request.reply_channel == "sms":
                from hotline.channels.sms import invite_visit

                if request.phone:  # R-FB-2: visited by SMS, as the citizen chose
                    invite_visit(
                        ticket=event.ticket,
                        phone=request.phone,
                        key=f"visit-sms:{event.pk}",
                        lead=f"{body}\n",
                    )
                    sent += 1
                continue
            if not _wants_online_notice(request):
                continue
            subject = f"12345热线：工单 {event.ticket.number} 办理进度"
            if request.wechat_openid and request.reply_channel == ReplyChannel.WECHAT:
                notify(
                    channel=NotifyChannel.WECHAT,
                    address=request.wechat_openid,
                    subject=subject,
                    body=body,
                    ticket=event.ticket,
                    key=f"progress:{event.pk}:wechat",
                )
                sent += 1
            if request.email and request.reply_channel != ReplyChannel.WECHAT:
                notify(
                    channel=NotifyChannel.EMAIL,
                    address=request.email,
                    subject=subject,
                    body=body,
                    ticket=event.ticket,
                    key=f"progress:{event.pk}:email",
                )
                sent += 1
    return {"sent": sent}
