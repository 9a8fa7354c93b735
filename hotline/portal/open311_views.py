"""The Open311 GeoReport v2 endpoints (thin; the mapping lives in open311.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hotline.channels import text
from hotline.core.errors import DomainError
from hotline.portal import open311, throttle

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _respond(fmt: str, root: str, item: str, rows: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = open311.to_xml(root, item, rows if isinstance(rows, list) else [rows])
    else:
        body = json.dumps(rows, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    rows = [{"code": code, "description": description}]
    return _respond(fmt if fmt in FORMATS else "json", "errors", "error", rows, status=code)


def _params(query) -> dict[str, str]:
    """Every parameter once, checked for type and encoding (NUL, lone surrogates)."""
    out = {}
    for key in query:
        out[key] = text.clean(query.get(key), label=key, max_length=4000)
    return out


def endpoint(method_ok: tuple[str, ...]) -> Callable:
    def wrap(view: Callable) -> Callable:
        @login_not_required
        @csrf_exempt
        def inner(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return _error("json", 404, "format must be json or xml")
            if request.method not in method_ok:
                return _error(fmt, 405, f"method {request.method} not allowed")
            try:
                throttle.hit(
                    "open311",
                    throttle.client_address(request),
                    limit=600 * max(1, settings.HOTLINE_PORTAL_ADDRESS_FACTOR),
                    seconds=60,
                )
                return view(request, fmt, **kwargs)
            except open311.Open311Error as exc:
                return _error(fmt, exc.code, exc.description)
            except throttle.TooMany:
                return _error(fmt, 429, "too many requests, try again later")
            except DomainError as exc:
                return _error(fmt, 400, exc.message)

        return inner

    return wrap


@endpoint(("GET",))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    info = {
        "changeset": "2026-12-04T00:00:00+08:00",
        "contact": _("12345 citizen service hotline"),
        "key_service": _("Ask the hotline's administrator for an API key"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-12-04T00:00:00+08:00",
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }
    if fmt == "xml":
        return _respond(fmt, "discovery", "endpoint", info["endpoints"])
    return _respond(fmt, "discovery", "discovery", info)


@endpoint(("GET",))
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(fmt, "services", "service", open311.services())


@endpoint(("GET",))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    return _respond(
        fmt, "service_definition", "service_definition", open311.service_definition(code)
    )


@endpoint(("GET", "POST"))
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        data = _params(request.POST)
        app = open311.app_for_key(data.get("api_key"))
        row = open311.request_post(app=app, data=data)
        return _respond(fmt, "service_requests", "request", [row], status=201)
    return _respond(fmt, "service_requests", "request", open311.request_list(_params(request.GET)))


@endpoint(("GET",))
def request_one(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    return _respond(fmt, "service_requests", "request", [open311.request_one(request_id)])
