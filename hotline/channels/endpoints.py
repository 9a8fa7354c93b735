"""The public endpoints of the channels (no login): the SMS gateway's webhook, WeChat's
message URL and partner hotlines' transfer API. Each refuses a closed channel clearly."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hotline.channels import sms, text, transfers, webhooks, wechat
from hotline.channels.models import MessageSecurity, Partner
from hotline.channels.selectors import (
    channel_closed_message,
    channel_is_open,
    wechat_security,
)
from hotline.core.errors import DomainError
from hotline.tickets.models import TicketChannel

SMS_MAX_BYTES = 16 * 1024
WECHAT_MAX_BYTES = 64 * 1024
log = logging.getLogger("hotline.channels.webhooks")


@csrf_exempt
@login_not_required
def sms_inbound(request: HttpRequest) -> JsonResponse:
    """POST {"id", "from", "text"} signed by the gateway (see webhooks)."""
    try:
        body = webhooks.read_body(request, max_bytes=SMS_MAX_BYTES)
        webhooks.verify(request, body, secret=settings.HOTLINE_SMS_INBOUND_SECRET, source="sms")
        if not channel_is_open(TicketChannel.SMS):
            return webhooks.error(403, "channel_closed", channel_closed_message(TicketChannel.SMS))
        data = webhooks.parse_json(body)
        message_id = text.clean(
            data.get("id"), label=_("message number"), max_length=100, required=True
        )
        with transaction.atomic():
            webhooks.claim_once("sms", message_id)
            done = sms.handle(message_id=message_id, phone=data.get("from"), body=data.get("text"))
    except webhooks.WebhookError as exc:
        return exc.response()
    except DomainError as exc:
        return webhooks.error(400, exc.code, exc.message)
    return JsonResponse(done, status=200)


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@login_not_required
def wechat_message(request: HttpRequest) -> HttpResponse:
    """WeChat's server URL: GET verifies the URL (echostr), POST carries messages; both
    signed with the account's token (wechatpy's check)."""
    from wechatpy import parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
    from wechatpy.replies import TextReply
    from wechatpy.utils import check_signature

    token = settings.HOTLINE_WECHAT_TOKEN
    if not token:
        return _plain(503, _("The WeChat endpoint is not configured"))
    stamp = request.GET.get("timestamp", "")
    try:
        check_signature(
            token, request.GET.get("signature", ""), stamp, request.GET.get("nonce", "")
        )
    except InvalidSignatureException:
        log.warning("wechat refused from %s: bad signature", request.META.get("REMOTE_ADDR"))
        return _plain(403, _("The signature is wrong"))
    if request.method == "GET":
        try:
            echo = text.clean(request.GET.get("echostr", ""), label="echostr", max_length=200)
        except DomainError as exc:
            return _plain(400, exc.message)
        return _plain(200, echo)
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > webhooks.MAX_SKEW.total_seconds():
        log.warning("wechat refused: stale timestamp %s", stamp[:20])
        return _plain(403, _("The request's timestamp has expired"))
    security, aes_key = wechat_security()
    crypto = None
    if request.GET.get("encrypt_type", "") == "aes":
        if security == MessageSecurity.PLAIN:
            log.warning("wechat refused: an encrypted message while plain mode is set")
            return _plain(403, _("Message encryption is not enabled"))
        crypto = WeChatCrypto(token, aes_key, settings.HOTLINE_WECHAT_APPID)
    elif security == MessageSecurity.SAFE:
        log.warning("wechat refused: a plain message while safe mode is set")
        return _plain(403, _("Safe mode takes encrypted messages only"))
    try:
        body = webhooks.read_body(request, max_bytes=WECHAT_MAX_BYTES)
        if crypto is not None:
            body = crypto.decrypt_message(
                body, request.GET.get("msg_signature", ""), stamp, request.GET.get("nonce", "")
            ).encode("utf-8")
        msg = parse_message(body.decode("utf-8"))
    except webhooks.WebhookError as exc:
        return _plain(exc.status, exc.message)
    except (InvalidSignatureException, InvalidAppIdException):
        log.warning(
            "wechat refused from %s: bad message signature", request.META.get("REMOTE_ADDR")
        )
        return _plain(403, _("The signature is wrong"))
    except Exception:  # malformed XML, bytes or cipher text: expat, xmltodict, AES raise many
        return _plain(400, _("The message is not well formed"))
    message_id = str(getattr(msg, "id", None) or f"{msg.source}:{msg.create_time}")
    try:
        with transaction.atomic():
            webhooks.claim_once("wechat", message_id[:100])
            answer = wechat.handle_message(msg)
    except webhooks.WebhookError:
        return _plain(200, "success")  # WeChat's retry of a message already answered
    reply = TextReply(message=msg, content=answer).render()
    if crypto is not None:  # the passive reply goes back encrypted as well
        reply = crypto.encrypt_message(reply, request.GET.get("nonce", ""), stamp)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


# Transfers and results carry their public attachments (base64: 4/3 of MAX_FILE_BYTES).
PARTNER_MAX_BYTES = 256 * 1024 + transfers.MAX_FILE_BYTES * 4 // 3


def _partner_call(request: HttpRequest, handler) -> JsonResponse:
    """A signed POST from a partner hotline, named by X-Hotline-Partner."""
    try:
        body = webhooks.read_body(request, max_bytes=PARTNER_MAX_BYTES)
        code = request.headers.get(transfers.PARTNER_HEADER, "")[:32]
        partner = Partner.objects.filter(code=code, active=True).first()
        if partner is None:
            log.warning(
                "partner call refused from %s: unknown partner %r",
                request.META.get("REMOTE_ADDR"),
                code,
            )
            raise webhooks.WebhookError(401, "unknown_partner", _("Unknown partner hotline"))
        webhooks.verify(request, body, secret=partner.key, source=f"partner {code}")
        if not channel_is_open(TicketChannel.TRANSFER):
            return webhooks.error(
                403, "channel_closed", channel_closed_message(TicketChannel.TRANSFER)
            )
        data = webhooks.parse_json(body)
        message_id = text.clean(
            data.get("id"), label=_("message number"), max_length=100, required=True
        )
        with transaction.atomic():
            webhooks.claim_once(f"partner:{partner.code}", message_id)
            answer = handler(partner=partner, data=data)
    except webhooks.WebhookError as exc:
        return exc.response()
    except DomainError as exc:
        return webhooks.error(exc.status, exc.code, exc.message)
    return JsonResponse(answer, status=200, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@login_not_required
def partner_transfer(request: HttpRequest) -> JsonResponse:
    return _partner_call(request, transfers.transfer_receive)


@csrf_exempt
@login_not_required
def partner_status(request: HttpRequest) -> JsonResponse:
    return _partner_call(request, transfers.transfer_status_receive)
