"""One error shape for the whole API: `{"error": {"code", "message"}}`, in Chinese.

Ninja answers bad types, bad JSON, a missing login and a missing route in its own
shape (`{"detail": …}` in English) and Django answers an oversized body with an HTML
page; these handlers put all of them in the shape domain errors already use (issue 14
item 7), so a client parses one thing.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

# pydantic error types → what the field needs, in the interface's language.
_TYPE_MESSAGES = {
    "missing": "必须填写",
    "json_invalid": "不是有效的 JSON",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为 JSON 对象",
    "datetime_parsing": "应为日期时间（如 2026-01-31T09:00:00+08:00）",
    "date_from_datetime_parsing": "应为日期（如 2026-01-31）",
    "greater_than_equal": "超出允许范围（太小）",
    "greater_than": "超出允许范围（太小）",
    "less_than_equal": "超出允许范围（太大）",
    "less_than": "超出允许范围（太大）",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "too_long": "项数过多",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _field(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "请求"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """`字段 summary：必须填写；字段 days：应为整数` from pydantic's error list."""
    items = []
    for err in errors[:5]:
        kind = str(err.get("type", ""))
        if kind == "value_error":
            # Our own validators raise ValueError with a Chinese message.
            text = str(err.get("msg", "")).removeprefix("Value error, ")
        else:
            text = _TYPE_MESSAGES.get(kind, "格式不正确")
        items.append(f"字段 {_field(err.get('loc'))}：{text}")
    return "；".join(items) or "请求格式不正确"


def install(api: NinjaAPI) -> None:
    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        body = error_body("invalid_input", validation_message(list(exc.errors)))
        return api.create_response(request, body, status=422)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, error_body("unauthenticated", "请先登录"), status=401)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}
        messages = {401: "请先登录", 403: "无权执行此操作", 404: "没有找到", 429: "请求过于频繁"}
        status = exc.status_code
        body = error_body(codes.get(status, "invalid"), messages.get(status, "请求有误"))
        return api.create_response(request, body, status=status)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", "没有找到，或无权查看"), status=404
        )

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        body = error_body("too_large", f"请求内容过大：最多 {limit} MB")
        return api.create_response(request, body, status=413)

    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RequestDataTooBig, too_big)


def docs_login_required(view):
    """The OpenAPI page and schema need a login unless DEBUG (issue 14 item 8)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if not settings.DEBUG and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
