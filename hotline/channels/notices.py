"""What the citizen and a partner hotline are told about an online request (R-IN-1, ZS 24)."""

from __future__ import annotations

from collections.abc import Callable

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


# Two senders live in modules above this one: `transfers.report_back` (transfers imports
# services, which imports this module) and `sms.invite_visit` (sms imports progress, which
# calls it). ChannelsConfig.ready() registers them here, so review and progress reach them
# without importing upward (the no-cycles contract of pyproject.toml, decision 0024).
TRANSFER_REPORT = "transfer_report"
SMS_VISIT = "sms_visit"
_senders: dict[str, Callable[..., None]] = {}


def register_sender(name: str, send: Callable[..., None]) -> None:
    _senders[name] = send


def _sender(name: str) -> Callable[..., None]:
    try:
        return _senders[name]
    except KeyError:
        raise RuntimeError(f"channels sender {name!r} is not registered (apps.ready)") from None


def report_transfer(request: OnlineRequest, state: str, **detail: str) -> None:
    """A transfer in: the partner hotline it came from is told (ZS 24)."""
    if request.channel == TicketChannel.TRANSFER:
        _sender(TRANSFER_REPORT)(request=request, state=state, **detail)


def invite_sms_visit(*, ticket, phone: str, key: str, lead: str = "") -> None:
    """Ask by SMS for the visit (R-FB-2, the citizen chose SMS): `sms.invite_visit`."""
    _sender(SMS_VISIT)(ticket=ticket, phone=phone, key=key, lead=lead)
