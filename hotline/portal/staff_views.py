"""Staff pages of the portal app: Open311 keys (administrator), the missed-call list
(operators), the call-back share on the supervisor board, and the telephone system's
JSON import."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.permissions import Capability, can
from hotline.core.errors import DomainError, PermissionDenied
from hotline.directory.tables import FileUnreadable
from hotline.portal import missed_calls, open311
from hotline.portal.models import CallBack, MissedCall, Open311App

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _need(request: HttpRequest, capability: Capability) -> None:
    if not can(request.user, capability):
        raise PermissionDenied(_("You may not do this"))


@require_http_methods(["GET", "POST"])
def open311_keys(request: HttpRequest) -> HttpResponse:
    _need(request, Capability.MANAGE)
    issued, error = None, ""
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                app = get_object_or_404(Open311App, pk=request.POST.get("revoke", "0") or 0)
                open311.open311_key_revoke(actor=request.user, app=app)
                return redirect("portal:open311-keys")
            issued = open311.open311_key_issue(
                actor=request.user, name=request.POST.get("name", "")
            )
        except DomainError as exc:
            error = exc.message
    context = {"apps": Open311App.objects.all(), "issued": issued, "error": error}
    return render(request, "portal/open311_keys.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def missed_call_list(request: HttpRequest) -> HttpResponse:
    _need(request, Capability.INTAKE)
    errors: list = []
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > MAX_IMPORT_BYTES:
            errors = [_("Choose a .csv or .xlsx file of at most 5 MB")]
        else:
            try:
                rows, errors = missed_calls.parse_file(upload.name or "", upload.read())
            except FileUnreadable as exc:
                errors = [str(exc)]
            if not errors:
                result = missed_calls.missed_calls_import(actor=request.user, rows=rows)
    waiting = MissedCall.objects.filter(state=MissedCall.State.WAITING).order_by("called_at")
    context = {
        "waiting": waiting[:200],
        "done": MissedCall.objects.exclude(state=MissedCall.State.WAITING).order_by("-called_at")[
            :50
        ],
        "outcomes": CallBack.Outcome.choices,
        "errors": errors,
        "result": result,
        "share": missed_calls.callback_share(),
    }
    return render(request, "portal/missed_calls.html", context, status=400 if errors else 200)


@require_POST
def missed_call_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, Capability.INTAKE)
    call = get_object_or_404(MissedCall, pk=pk)
    missed_calls.callback_record(
        actor=request.user,
        missed_call=call,
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", ""),
    )
    return redirect("portal:missed-calls")


@require_POST
def missed_call_import_api(request: HttpRequest) -> HttpResponse:
    """POST a JSON list of {external_id, phone, called_at, line} (a logged-in operator or
    the telephone system's own account); all or nothing."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": {"code": "unauthorized", "message": _("Please log in first")}}, status=401
        )
    if not can(request.user, Capability.INTAKE):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": _("You may not import")}}, status=403
        )
    if len(request.body) > MAX_IMPORT_BYTES:
        return JsonResponse(
            {"error": {"code": "too_large", "message": _("Larger than 5 MB")}}, status=413
        )
    try:
        records = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse(
            {
                "error": {
                    "code": "invalid_json",
                    "message": _("The request body should be JSON in UTF-8"),
                }
            },
            status=400,
        )
    rows, errors = missed_calls.parse_json(records)
    if errors:
        message = "；".join(str(e) for e in errors[:20])
        return JsonResponse({"error": {"code": "invalid", "message": message}}, status=400)
    return JsonResponse(missed_calls.missed_calls_import(actor=request.user, rows=rows))
