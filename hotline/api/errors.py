"""One error shape for the whole API: `{"error": {"code", "message"}}`, in the site language.

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

# pydantic error types → what the field needs, in the interface's language.
_TYPE_MESSAGES = {
    "missing": _l("Required"),
    "json_invalid": _l("Not valid JSON"),
    "string_type": _l("Should be text"),
    "int_parsing": _l("Should be a whole number"),
    "int_type": _l("Should be a whole number"),
    "int_from_float": _l("Should be a whole number"),
    "float_parsing": _l("Should be a number"),
    "bool_parsing": _l("Should be true or false"),
    "bool_type": _l("Should be true or false"),
    "list_type": _l("Should be a list"),
    "dict_type": _l("Should be an object"),
    "model_attributes_type": _l("Should be a JSON object"),
    "datetime_parsing": _l("Should be a date and time (such as 2026-01-31T09:00:00+08:00)"),
    "date_from_datetime_parsing": _l("Should be a date (such as 2026-01-31)"),
    "greater_than_equal": _l("Out of the allowed range (too small)"),
    "greater_than": _l("Out of the allowed range (too small)"),
    "less_than_equal": _l("Out of the allowed range (too large)"),
    "less_than": _l("Out of the allowed range (too large)"),
    "string_too_long": _l("Too long"),
    "string_too_short": _l("Too short"),
    "too_long": _l("Too many items"),
    "enum": _l("Not an allowed value"),
    "literal_error": _l("Not an allowed value"),
}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _field(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or _("request")


def validation_message(errors: list[dict[str, Any]]) -> str:
    """`Field summary: Required; Field days: Should be a whole number` (in the site
    language) from pydantic's error list."""
    items = []
    for err in errors[:5]:
        kind = str(err.get("type", ""))
        if kind == "value_error":
            # Our own validators raise ValueError with a message already translated.
            text = str(err.get("msg", "")).removeprefix("Value error, ")
        else:
            text = str(_TYPE_MESSAGES.get(kind, _("Badly formed")))
        items.append(
            _("Field %(field)s: %(problem)s") % {"field": _field(err.get("loc")), "problem": text}
        )
    return _("; ").join(items) or _("The request is badly formed")


def install(api: NinjaAPI) -> None:
    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        body = error_body("invalid_input", validation_message(list(exc.errors)))
        return api.create_response(request, body, status=422)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request, error_body("unauthenticated", _("Please log in first")), status=401
        )

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}
        messages = {
            401: _("Please log in first"),
            403: _("You may not perform this action"),
            404: _("Nothing found"),
            429: _("Too many requests"),
        }
        status = exc.status_code
        body = error_body(
            codes.get(status, "invalid"), messages.get(status, _("The request is not valid"))
        )
        return api.create_response(request, body, status=status)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", _("Nothing found, or you may not view it")), status=404
        )

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        body = error_body(
            "too_large", _("The request is too large: at most %(limit)s MB") % {"limit": limit}
        )
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
