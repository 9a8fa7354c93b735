"""What every inbound webhook (the SMS gateway, partner hotlines) goes through before its
content is looked at: a size limit checked on the header before the body is read, a
signature over timestamp and body (HMAC-SHA256 with a shared secret), a timestamp close to
now, strict UTF-8 JSON, and one receipt per message id so a replay is refused.

Refusals are logged (never the body or the secret) and answered as
{"error": {"code", "message"}}."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from hotline.channels.models import InboundReceipt
from hotline.core import clock

log = logging.getLogger("hotline.channels.webhooks")
TIMESTAMP_HEADER = "X-Hotline-Timestamp"
SIGNATURE_HEADER = "X-Hotline-Signature"
MAX_SKEW = timedelta(minutes=5)


class WebhookError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JsonResponse:
        return error(self.status, self.code, self.message)


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a sender puts in X-Hotline-Signature (hex)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def read_body(request: HttpRequest, *, max_bytes: int) -> bytes:
    """The raw body, refused from its Content-Length before it is read when too large."""
    if request.method != "POST":
        raise WebhookError(405, "method", _("Only POST is accepted"))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length < 0:
        raise WebhookError(411, "length_required", _("The request needs a Content-Length"))
    if length > max_bytes:
        raise WebhookError(
            413,
            "too_large",
            _("The request body is larger than %(limit)s bytes") % {"limit": max_bytes},
        )
    return request.body


def verify(request: HttpRequest, body: bytes, *, secret: str, source: str) -> None:
    """Refuse an unsigned, badly signed or stale message (logged with the sender's address)."""
    peer = request.META.get("REMOTE_ADDR", "?")
    if not secret:
        log.error("%s webhook refused: no shared secret configured", source)
        raise WebhookError(503, "not_configured", _("No shared secret is set for this endpoint"))
    stamp = request.headers.get(TIMESTAMP_HEADER, "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not stamp or not given:
        log.warning("%s webhook refused from %s: unsigned", source, peer)
        raise WebhookError(401, "unsigned", _("The request is not signed"))
    if not hmac.compare_digest(sign(secret, stamp, body), given.strip().lower()):
        log.warning("%s webhook refused from %s: bad signature", source, peer)
        raise WebhookError(401, "bad_signature", _("The signature is wrong"))
    try:
        sent = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise WebhookError(400, "bad_timestamp", _("The timestamp is not valid")) from None
    if abs(clock.now() - sent) > MAX_SKEW:
        log.warning("%s webhook refused from %s: stale timestamp %s", source, peer, stamp)
        raise WebhookError(401, "stale", _("The request's timestamp has expired"))


def parse_json(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise WebhookError(
            400, "invalid_encoding", _("The request body is not valid UTF-8")
        ) from None
    except json.JSONDecodeError:
        raise WebhookError(400, "invalid_json", _("The request body is not valid JSON")) from None
    if not isinstance(data, dict):
        raise WebhookError(400, "invalid_json", _("The request body must be a JSON object"))
    return data


def claim_once(source: str, message_id: str) -> None:
    """Record the message id; a second delivery of the same id is a replay (409). Call it in
    the transaction that handles the message: a failed handling frees the id again."""
    try:
        with transaction.atomic():
            InboundReceipt.objects.create(source=source, message_id=message_id)
    except IntegrityError:
        log.warning("%s webhook refused: replay of %s", source, message_id)
        raise WebhookError(
            409, "replay", _("This message was already handled (sent again)")
        ) from None
