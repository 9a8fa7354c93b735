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

from hotline.channels import progress, services, text
from hotline.channels.models import OnlineRequest, WeChatDialogue
from hotline.channels.selectors import channel_closed_message, channel_is_open
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.tickets.models import Channel

QUERY = re.compile(r"^\s*(?:查询|查|CX)\s*[:：]?\s*([A-Za-z]?\d{6,20})\s*$", re.IGNORECASE)
SKIP, CANCEL = {"跳过", "不留", "无"}, {"取消", "算了"}
DIALOGUE_TTL = timedelta(minutes=30)
MIN_TEXT = 5
HELP = (
    "您好，这里是 12345 热线。请直接发送文字，写明时间、地点和事项，即可提交诉求；"
    "发送“查询 工单编号”可查询办理进度。"
)
NO_MATCH = "没有找到您通过微信提交的这个编号的诉求，请核对编号。"


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
        return NO_MATCH
    if request.ticket is not None and request.state == OnlineRequest.State.ACCEPTED:
        return progress.progress_text(request.ticket)
    reason = f"理由：{request.decline_reason}" if request.decline_reason else ""
    return f"受理编号 {request.number}：{request.get_state_display()}。{reason}"


def _store(openid: str, dialogue: WeChatDialogue, phone: str, message_id: str) -> str:
    request = services.online_request_create(
        channel=Channel.WECHAT,
        external_id=message_id,
        subject="",
        body=dialogue.body,
        phone=phone,
        wechat_openid=openid,
        reply_channel="wechat",
    )
    dialogue.delete()
    return (
        f"您的诉求已收到，受理编号 {request.number}。审核受理后将通过微信告知工单编号和办理进度。"
    )


def handle_text(*, openid: str, content: object, message_id: str) -> str:
    """The passive reply to one text message."""
    if not channel_is_open(Channel.WECHAT):
        return channel_closed_message(Channel.WECHAT)
    try:
        content = text.clean(content, label="消息", max_length=2000, required=True)
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
            return "已取消。需要时请重新发送诉求内容。"
        if dialogue is not None:
            if content in SKIP:
                return _store(openid, dialogue, "", message_id)
            try:
                phone = text.check_phone(content.replace(" ", ""), required=True)
            except DomainError:
                return "手机号码格式不正确，请重新输入，或回复“跳过”只通过微信接收答复。"
            return _store(openid, dialogue, phone, message_id)
        if len(content) < MIN_TEXT:
            return HELP
        WeChatDialogue.objects.create(openid=openid, body=content)
        return (
            f"已记录您的诉求：「{content[:50]}{'…' if len(content) > 50 else ''}」。"
            "请回复您的手机号码以便联系（回复“跳过”则只通过微信答复，回复“取消”放弃）。"
        )


def handle_message(msg) -> str:
    """Any wechatpy message: text is handled, a new follower is greeted, the rest is told
    what works."""
    if msg.type == "text":
        return handle_text(openid=msg.source, content=msg.content, message_id=str(msg.id))
    if msg.type == "event" and getattr(msg, "event", "") == "subscribe":
        return HELP
    return "目前只能处理文字消息。" + HELP
