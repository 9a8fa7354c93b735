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
        raise WebhookError(405, "method", "只接受 POST 请求")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length < 0:
        raise WebhookError(411, "length_required", "请求须带 Content-Length")
    if length > max_bytes:
        raise WebhookError(413, "too_large", f"请求体超过 {max_bytes} 字节的限制")
    return request.body


def verify(request: HttpRequest, body: bytes, *, secret: str, source: str) -> None:
    """Refuse an unsigned, badly signed or stale message (logged with the sender's address)."""
    peer = request.META.get("REMOTE_ADDR", "?")
    if not secret:
        log.error("%s webhook refused: no shared secret configured", source)
        raise WebhookError(503, "not_configured", "接口未配置共享密钥")
    stamp = request.headers.get(TIMESTAMP_HEADER, "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not stamp or not given:
        log.warning("%s webhook refused from %s: unsigned", source, peer)
        raise WebhookError(401, "unsigned", "请求未签名")
    if not hmac.compare_digest(sign(secret, stamp, body), given.strip().lower()):
        log.warning("%s webhook refused from %s: bad signature", source, peer)
        raise WebhookError(401, "bad_signature", "签名不正确")
    try:
        sent = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise WebhookError(400, "bad_timestamp", "时间戳格式不正确") from None
    if abs(clock.now() - sent) > MAX_SKEW:
        log.warning("%s webhook refused from %s: stale timestamp %s", source, peer, stamp)
        raise WebhookError(401, "stale", "请求时间戳已过期")


def parse_json(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise WebhookError(400, "invalid_encoding", "请求体不是有效的 UTF-8") from None
    except json.JSONDecodeError:
        raise WebhookError(400, "invalid_json", "请求体不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise WebhookError(400, "invalid_json", "请求体应为 JSON 对象")
    return data


def claim_once(source: str, message_id: str) -> None:
    """Record the message id; a second delivery of the same id is a replay (409). Call it in
    the transaction that handles the message: a failed handling frees the id again."""
    try:
        with transaction.atomic():
            InboundReceipt.objects.create(source=source, message_id=message_id)
    except IntegrityError:
        log.warning("%s webhook refused: replay of %s", source, message_id)
        raise WebhookError(409, "replay", "该消息已处理过（重复提交）") from None
