"""What the citizen and a partner hotline are told about an online request (R-IN-1, ZS 24)."""

from __future__ import annotations

from hotline.channels.models import OnlineRequest, ReplyChannel
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.tickets.models import TicketChannel


def contact_notice(request: OnlineRequest, subject: str, body: str, *, key: str) -> None:
    """Tell the citizen by the way they chose, else the way they wrote: e-mail or SMS.
    WeChat followers get a template message (notifications' "wechat" channel)."""
    prefer = request.reply_channel
    if request.wechat_openid and (prefer == ReplyChannel.WECHAT or not request.phone):
        channel, address, suffix = NotificationChannel.WECHAT, request.wechat_openid, "wechat"
    elif request.email and (prefer == ReplyChannel.EMAIL or not request.phone):
        channel, address, suffix = NotificationChannel.EMAIL, request.email, "email"
    elif request.phone and prefer != ReplyChannel.WECHAT:
        channel, address, suffix = NotificationChannel.SMS, request.phone, "sms"
    else:
        return
    notify(
        channel=channel,
        address=address,
        subject=subject,
        body=body,
        ticket=request.ticket,
        key=f"{key}:{suffix}",
    )


def report_transfer(request: OnlineRequest, state: str, **detail: str) -> None:
    """A transfer in: the partner hotline it came from is told (ZS 24)."""
    if request.channel == TicketChannel.TRANSFER:
        from hotline.channels.transfers import report_back

        report_back(request=request, state=state, **detail)
