"""The public endpoints of the channels (no login): the SMS gateway's webhook, WeChat's
message URL and partner hotlines' transfer API. Each refuses a closed channel clearly."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from hotline.channels import sms, text, webhooks
from hotline.channels.selectors import channel_closed_message, channel_is_open
from hotline.core.errors import DomainError
from hotline.tickets.models import Channel

SMS_MAX_BYTES = 16 * 1024


@csrf_exempt
@login_not_required
def sms_inbound(request: HttpRequest) -> JsonResponse:
    """POST {"id", "from", "text"} signed by the gateway (see webhooks)."""
    try:
        body = webhooks.read_body(request, max_bytes=SMS_MAX_BYTES)
        webhooks.verify(request, body, secret=settings.HOTLINE_SMS_INBOUND_SECRET, source="sms")
        if not channel_is_open(Channel.SMS):
            return webhooks.error(403, "channel_closed", channel_closed_message(Channel.SMS))
        data = webhooks.parse_json(body)
        message_id = text.clean(data.get("id"), label="消息编号", max_length=100, required=True)
        with transaction.atomic():
            webhooks.claim_once("sms", message_id)
            done = sms.handle(message_id=message_id, phone=data.get("from"), body=data.get("text"))
    except webhooks.WebhookError as exc:
        return exc.response()
    except DomainError as exc:
        return webhooks.error(400, exc.code, exc.message)
    return JsonResponse(done, status=200)
