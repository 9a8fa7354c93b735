"""What a citizen who wrote online is told about their ticket, in plain words (R-FB-1,
R-HM-10): the progress answer to a query (SMS "查询 …", WeChat), and the notices that go
out by e-mail (or WeChat) to those who chose it, as the ticket services tell callers by
SMS. Never a staff name, an internal note or evidence.

One timeline (`ticket_steps`) serves every channel: the portal's progress page, Open311's
status notes, the SMS and WeChat answers (`progress_text`) and the notices (`notice_text`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.channels import notices
from hotline.channels.models import Cursor, OnlineRequest, ReplyChannel
from hotline.core.dates import local_moment
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.states import Status

NOTICE_KINDS = ("dispatched", "extension_approved", "completion_approved", "redo")


@dataclass(frozen=True)
class Step:
    """One line of a citizen's progress timeline."""

    at: datetime
    title: str
    detail: str = ""


def final_reply(ticket: Ticket) -> str:
    reply = ticket.approved_reply()
    return reply.text if reply else ""


def event_step(ticket: Ticket, event: TicketEvent) -> Step | None:
    """What a citizen is told of one event (R-FB-1, R-HM-10, ZS 19), None for the rest."""
    data, unit = event.data or {}, event.unit.name if event.unit else ""
    if event.kind == "received":
        return Step(
            event.at, _("Accepted"), _("Ticket number %(number)s") % {"number": ticket.number}
        )
    if event.kind == "dispatched":
        due = local_moment(data.get("reply_due"))
        detail = _("Unit in charge: %(unit)s, due by %(due)s") % {"unit": unit, "due": due}
        return Step(event.at, _("Sent to the unit in charge"), detail)
    if event.kind == "send_back_approved":
        return Step(
            event.at,
            _("The hotline chose a new unit"),
            _("The first unit asked to hand it back; the hotline chose the unit in charge again"),
        )
    if event.kind == "extension_approved":
        return Step(event.at, _("More time granted"), data.get("citizen_notice", ""))
    if event.kind == "reply_approved":
        return Step(event.at, _("The unit in charge replied"), unit)
    if event.kind == "completion_approved":
        result = _("Result: %(result)s") % {"result": final_reply(ticket) or "—"}
        return Step(event.at, _("Handling completed"), result)
    if event.kind == "visited":
        return Step(event.at, _("Return visit made"))
    if event.kind == "redo":
        due = _("New deadline: %(due)s") % {"due": local_moment(data.get("reply_due"))}
        return Step(event.at, _("Handled again"), due)
    if event.kind == "screened":
        return Step(event.at, _("Completed after screening"))
    if event.kind == "merged":
        return Step(event.at, _("Handled together with the same request"))
    return None


def ticket_steps(ticket: Ticket) -> list[Step]:
    """The ticket's progress in plain words, oldest first: the portal's timeline, the
    Open311 status notes, the SMS and WeChat answers and the e-mail notices all read it."""
    steps = [
        step
        for event in ticket.events.select_related("unit").order_by("at", "id")
        if (step := event_step(ticket, event)) is not None
    ]
    if ticket.status == Status.DECLINED:
        reason = ticket.get_decline_reason_display() if ticket.decline_reason else ""
        steps.append(Step(ticket.received_at, _("Not accepted"), reason))
    if ticket.status == Status.CLOSED and ticket.closed_at:
        steps.append(Step(ticket.closed_at, _("Completed and filed")))
    return steps


def request_steps(request: OnlineRequest) -> list[Step]:
    """An online request's own steps before (or instead of) a ticket."""
    number = _("Request number %(number)s") % {"number": request.number}
    steps = [Step(request.received_at, _("Request received"), number)]
    if request.state == OnlineRequest.State.PENDING:
        steps.append(Step(request.received_at, _("Waiting for the hotline's review")))
    elif request.state == OnlineRequest.State.DECLINED:
        steps.append(
            Step(
                request.handled_at or request.received_at, _("Not accepted"), request.decline_reason
            )
        )
    elif request.state == OnlineRequest.State.MERGED:
        at = request.handled_at or request.received_at
        steps.append(Step(at, _("Handled together with the same request")))
    return steps


def step_text(step: Step) -> str:
    if not step.detail:
        return step.title
    return _("%(title)s: %(detail)s") % {"title": step.title, "detail": step.detail}


def progress_text(ticket: Ticket) -> str:
    """One message (an SMS or WeChat answer): the status and the latest steps from the
    same timeline the portal shows; the latest step with words when the last has none
    (a closed ticket still says its result)."""
    steps = ticket_steps(ticket)
    parts = [
        _("Ticket %(number)s (%(summary)s), now: %(state)s.")
        % {
            "number": ticket.number,
            "summary": ticket.summary[:30],
            "state": ticket.get_status_display(),
        }
    ]
    if steps:
        latest = steps[-1]
        said = next((s for s in reversed(steps) if s.detail), None)
        if said is not None and said is not latest:
            parts.append(_("%(text)s.") % {"text": step_text(said)})
        parts.append(_("%(text)s.") % {"text": step_text(latest)})
    return "".join(parts)


def notice_text(event: TicketEvent) -> str:
    """The notice of one progress event, the same words as the timeline's step."""
    step = event_step(event.ticket, event)
    if step is None:
        return ""
    return _("Your request (%(number)s): %(step)s") % {
        "number": event.ticket.number,
        "step": step_text(step),
    }


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
        cursor, _made = Cursor.objects.select_for_update().get_or_create(name="progress_notices")
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
                notices.report_transfer(
                    request,
                    "completed",
                    number=event.ticket.number,
                    result=final_reply(event.ticket),
                )
                sent += 1
                continue
            if event.kind == "completion_approved" and request.reply_channel == "sms":
                if request.phone:  # R-FB-2: visited by SMS, as the citizen chose
                    notices.invite_sms_visit(
                        ticket=event.ticket,
                        phone=request.phone,
                        key=f"visit-sms:{event.pk}",
                        lead=f"{body}\n",
                    )
                    sent += 1
                continue
            if not _wants_online_notice(request):
                continue
            subject = _("12345 hotline: progress of ticket %(number)s") % {
                "number": event.ticket.number
            }
            if request.wechat_openid and request.reply_channel == ReplyChannel.WECHAT:
                notify(
                    channel=NotificationChannel.WECHAT,
                    address=request.wechat_openid,
                    subject=subject,
                    body=body,
                    ticket=event.ticket,
                    key=f"progress:{event.pk}:wechat",
                )
                sent += 1
            if request.email and request.reply_channel != ReplyChannel.WECHAT:
                notify(
                    channel=NotificationChannel.EMAIL,
                    address=request.email,
                    subject=subject,
                    body=body,
                    ticket=event.ticket,
                    key=f"progress:{event.pk}:email",
                )
                sent += 1
    return {"sent": sent}
