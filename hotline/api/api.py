"""The JSON API (django-ninja): OpenAPI at /api/docs. Errors are structured JSON."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import django_auth

from hotline.accounts.models import User
from hotline.accounts.permissions import capabilities
from hotline.api import bulk as bulk_api
from hotline.api import directory as directory_api
from hotline.api import errors as api_errors
from hotline.api import followup as followup_api
from hotline.api import tickets as tickets_api
from hotline.api.schemas import MeOut
from hotline.core.errors import DomainError
from hotline.knowledge import api as knowledge_api
from hotline.reports import api as reports_api

api = NinjaAPI(
    title="Hotline API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    description="12345 hotline platform. Session login; every list is scoped to the user.",
    docs_decorator=api_errors.docs_login_required,
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(
        request, {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
    )


api_errors.install(api)  # one error shape for ninja's own errors too (issue 14 item 7)


@api.get("/me", response=MeOut, tags=["accounts"])
def me(request: HttpRequest):
    user = cast(User, request.user)  # django_auth let only a logged-in user through
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "unit_code": user.unit.code if user.unit else None,
        "unit_name": user.unit.name if user.unit else None,
        "capabilities": sorted(c.value for c in capabilities(user)),
    }


api.add_router("/units", directory_api.router)
api.add_router("/tickets/bulk", bulk_api.router)  # before /tickets/{number}
api.add_router("/tickets", tickets_api.router)
api.add_router("/follow-up", followup_api.router)
api.add_router("/knowledge", knowledge_api.router)
api.add_router("", reports_api.router)


def urls():
    """The API's URL patterns, exempt from the login redirect: the API answers 401 itself."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False  # type: ignore[union-attr]
    return patterns, app_name, namespace
