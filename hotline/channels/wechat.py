"""The WeChat official account's messages (R-IN-1, R-FB-1), through wechatpy.

A follower writes their request as text; the account asks for a phone (or "跳过" to hear
back by WeChat only) and then stores it as an online request; "查询 <编号>" answers the
progress of their own tickets. Replies are passive (the answer to the message itself);
later progress goes out as template messages through the notifications (channel
"wechat")."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from hotline.channels import progress, services, text
from hotline.channels.models import OnlineRequest, WeChatDialogue
from hotline.channels.selectors import channel_closed_message, channel_is_open
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.tickets.models import TicketChannel

QUERY = re.compile(r"^\s*(?:查询|查|CX)\s*[:：]?\s*([A-Za-z]?\d{6,20})\s*$", re.IGNORECASE)
SKIP, CANCEL = {"跳过", "不留", "无"}, {"取消", "算了"}
DIALOGUE_TTL = timedelta(minutes=30)
MIN_TEXT = 5
HELP = _l(
    "Hello, this is the 12345 hotline. Send your request as text, with when, where and "
    "what happened; send “查询 ticket number” to check its progress."
)
NO_MATCH = _l(
    "We found no request with this number sent from your WeChat; please check the number."
)


def _number_q(number: str) -> Q:
    return Q(number__iexact=number) | Q(ticket__number=number)


def _progress(openid: str, number: str) -> str:
    request = (
        OnlineRequest.objects.select_related("ticket")
        .filter(wechat_openid=openid)
        .filter(_number_q(number))
        .first()
    )
    if request is None:
        return str(NO_MATCH)
    if request.ticket is not None and request.state == OnlineRequest.State.ACCEPTED:
        return progress.progress_text(request.ticket)
    reason = (
        _("Reason: %(reason)s") % {"reason": request.decline_reason}
        if request.decline_reason
        else ""
    )
    return _("Request %(number)s: %(state)s. %(reason)s") % {
        "number": request.number,
        "state": request.get_state_display(),
        "reason": reason,
    }


def _store(openid: str, dialogue: WeChatDialogue, phone: str, message_id: str) -> str:
    request = services.online_request_create(
        channel=TicketChannel.WECHAT,
        external_id=message_id,
        subject="",
        body=dialogue.body,
        phone=phone,
        wechat_openid=openid,
        reply_channel="wechat",
    )
    dialogue.delete()
    return _(
        "We have your request, number %(number)s. Once it is accepted we will tell you the "
        "ticket number and its progress on WeChat."
    ) % {"number": request.number}


def handle_text(*, openid: str, content: object, message_id: str) -> str:
    """The passive reply to one text message."""
    if not channel_is_open(TicketChannel.WECHAT):
        return channel_closed_message(TicketChannel.WECHAT)
    try:
        content = text.clean(content, label=_("message"), max_length=2000, required=True)
    except DomainError as exc:
        return exc.message
    assert isinstance(content, str)
    with transaction.atomic():
        query = QUERY.match(content)
        if query:
            return _progress(openid, query.group(1))
        dialogue = WeChatDialogue.objects.select_for_update().filter(openid=openid).first()
        if dialogue and clock.now() - dialogue.updated_at > DIALOGUE_TTL:
            dialogue.delete()
            dialogue = None
        if content in CANCEL:
            if dialogue:
                dialogue.delete()
            return _("Cancelled. Send your request again whenever you need.")
        if dialogue is not None:
            if content in SKIP:
                return _store(openid, dialogue, "", message_id)
            try:
                phone = text.check_phone(content.replace(" ", ""), required=True)
            except DomainError:
                return _(
                    "That phone number is not valid. Please send it again, or reply “跳过” to "
                    "hear back on WeChat only."
                )
            return _store(openid, dialogue, phone, message_id)
        if len(content) < MIN_TEXT:
            return str(HELP)
        WeChatDialogue.objects.create(openid=openid, body=content)
        return _(
            "We noted your request: “%(text)s”. Please reply with your mobile number so we "
            "can reach you (reply “跳过” to hear back on WeChat only, “取消” to give up)."
        ) % {"text": content[:50] + ("…" if len(content) > 50 else "")}


def handle_message(msg) -> str:
    """Any wechatpy message: text is handled, a new follower is greeted, the rest is told
    what works."""
    if msg.type == "text":
        return handle_text(openid=msg.source, content=msg.content, message_id=str(msg.id))
    if msg.type == "event" and getattr(msg, "event", "") == "subscribe":
        return str(HELP)
    return _("Only text messages can be handled for now. ") + str(HELP)
