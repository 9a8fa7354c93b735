"""Thin views of the emergency app: the intake banner (htmx), the one-key transfer, and
the reports page where leaders acknowledge and report risk events."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability, can
from hotline.core.errors import DomainError
from hotline.emergencies import selectors, services
from hotline.emergencies.forms import ReportForm, TransferForm
from hotline.emergencies.models import EmergencyReport
from hotline.tickets.models import Ticket


@require_GET
@capability_required(Capability.INTAKE)
def banner(request: HttpRequest) -> HttpResponse:
    """The emergency guidance for the words being typed (htmx, R-IN-4 ZS 13(一))."""
    text = " ".join(request.GET.get(k, "") for k in ("summary", "detail"))
    return render(request, "emergencies/_banner_result.html", {"matches": selectors.detect(text)})


@require_POST
@capability_required(Capability.INTAKE)
def transfer(request: HttpRequest) -> HttpResponse:
    """转接并记录: the intake form posted by the banner's button (with `service`)."""
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("To record the transfer, fill in the caller's phone and the summary."),
        )
        return redirect("section-intake")  # the page's draft keeps what was typed
    try:
        ticket = services.emergency_transfer(
            actor=request.user, service=form.cleaned_data["service"], **form.call()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("section-intake")
    messages.success(
        request,
        _(
            "Ticket %(number)s recorded: transferred to %(service)s; "
            "the leaders and the duty office were told."
        )
        % {"number": ticket.number, "service": form.cleaned_data["service"]},
    )
    request.session["intake_saved"] = ticket.number  # the intake page clears its draft
    return redirect("section-intake")


@capability_required(*services.REPORTERS, *services.RESPONDERS)
def reports(request: HttpRequest) -> HttpResponse:
    """紧急报告: reports waiting for acknowledgement first, then the latest; a form to
    report a risk event (R-DA-5)."""
    user: Any = request.user
    status = 200
    form = ReportForm()
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            number = form.cleaned_data["ticket"].strip()
            ticket = None
            if number:
                ticket = Ticket.objects.visible_to(user).filter(number=number).first()
            try:
                if number and ticket is None:
                    raise DomainError(_("No ticket with number %(number)s.") % {"number": number})
                services.emergency_report(
                    actor=user,
                    kind=form.cleaned_data["kind"],
                    summary=form.cleaned_data["summary"],
                    ticket=ticket,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Reported to the leaders and the duty office."))
                return redirect("emergencies:reports")
        else:
            messages.error(request, _("Please correct the marked fields."))
            status = 400
    context = {
        "open": list(selectors.open_reports()),
        "recent": list(selectors.recent_reports()),
        "form": form,
        "may_acknowledge": any(can(user, c) for c in services.RESPONDERS),
        "may_report": any(can(user, c) for c in services.REPORTERS),
    }
    return render(request, "emergencies/reports.html", context, status=status)


@require_POST
@capability_required(*services.RESPONDERS)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(EmergencyReport, pk=pk)
    try:
        services.emergency_acknowledge(actor=request.user, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Acknowledged; the escalation stops."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("emergencies:reports")
