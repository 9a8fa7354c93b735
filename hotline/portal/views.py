"""The citizen's pages (no login): submit, track, own list, rate. Thin: checks come from
the services and selectors; every refusal is a Chinese message on the same page."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hotline.channels.selectors import channel_closed_message, channel_is_open
from hotline.core.errors import DomainError
from hotline.portal import forms, selectors, services, throttle
from hotline.tickets.models import Ticket, TicketChannel

SESSION_PHONE, SESSION_UNTIL = "portal_phone", "portal_phone_until"
VERIFIED_FOR = 30 * 60  # seconds a proved phone stays proved in this browser


def verified_phone(request: HttpRequest) -> str:
    if request.session.get(SESSION_UNTIL, 0) < time.time():
        return ""
    return str(request.session.get(SESSION_PHONE, ""))


def _factor() -> int:
    return max(1, int(settings.HOTLINE_PORTAL_ADDRESS_FACTOR))


def _address_hit(request: HttpRequest, scope: str, limit: int, seconds: int) -> None:
    throttle.hit(scope, throttle.client_address(request), limit=limit * _factor(), seconds=seconds)


def _too_big(request: HttpRequest) -> bool:
    """Refuse an upload by its declared length before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.HOTLINE_PORTAL_MAX_REQUEST_BYTES


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"phone": verified_phone(request)})


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Prove a phone: the phone and a CAPTCHA send an SMS code; the code proves it."""
    next_url = request.GET.get("next", "")
    next_url = next_url if next_url in ("submit", "track", "mine") else "mine"
    phone_form, code_form, error, sent_to = forms.PhoneForm(), forms.CodeForm(), "", ""
    if request.method == "POST" and "code" in request.POST:
        code_form = forms.CodeForm(request.POST)
        sent_to = str(request.session.get("portal_pending_phone", ""))
        if code_form.is_valid() and sent_to:
            try:
                _address_hit(request, "code-check", 30, 600)
                phone = services.phone_code_check(
                    phone=sent_to, code=code_form.cleaned_data["code"]
                )
            except DomainError as exc:
                error = exc.message
            else:
                request.session.cycle_key()
                request.session[SESSION_PHONE] = phone
                request.session[SESSION_UNTIL] = time.time() + VERIFIED_FOR
                return redirect(f"portal:{next_url}")
        else:
            error = error or _("Please enter the SMS code")
    elif request.method == "POST":
        phone_form = forms.PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                services.phone_code_send(
                    phone=phone_form.cleaned_data["phone"],
                    address=throttle.client_address(request),
                )
            except DomainError as exc:
                error = exc.message
            else:
                sent_to = phone_form.cleaned_data["phone"].strip()
                request.session["portal_pending_phone"] = sent_to
    context = {
        "phone_form": phone_form,
        "code_form": code_form,
        "error": error,
        "sent_to": sent_to,
        "next": next_url,
    }
    invalid = error or (phone_form.is_bound and not phone_form.is_valid())
    return render(request, "portal/verify.html", context, status=400 if invalid else 200)


@login_not_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """A request from the web, by a proved phone (R-IN-1)."""
    if not channel_is_open(TicketChannel.WEB):
        return render(
            request, "portal/closed.html", {"message": channel_closed_message(TicketChannel.WEB)}
        )
    phone = verified_phone(request)
    if not phone:
        return redirect("/portal/verify/?next=submit")
    if request.method == "POST" and _too_big(request):
        form = forms.SubmitForm()
        limit = settings.HOTLINE_PORTAL_MAX_REQUEST_BYTES // (1024 * 1024)
        error = _(
            "The upload is larger than %(limit)s MB; send fewer or smaller photos and try again"
        ) % {"limit": limit}
        return render(request, "portal/submit.html", {"form": form, "error": error}, status=413)
    form = forms.SubmitForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _address_hit(request, "submit-address", 10, 3600)
            online = services.portal_submit(
                phone=phone,
                kind=data["kind"],
                subject=data["subject"],
                body=data["body"],
                place=data["place"],
                name=data["name"],
                confidential=data["confidential"],
                reply_channel=data["reply_channel"],
                files=request.FILES.getlist("files"),
            )
        except DomainError as exc:
            error = exc.message
        else:
            return render(request, "portal/submitted.html", {"online": online})
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/submit.html", {"form": form, "error": error}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Number and phone (or a proved phone) show the progress; one answer for every
    mismatch, and limits per address so numbers and phones cannot be tried in bulk."""
    proved = verified_phone(request)
    form = forms.TrackForm(request.POST or request.GET or None)
    found, error, limited = None, "", False
    if form.is_bound and form.is_valid():
        phone = proved or form.cleaned_data["phone"].strip()
        address = throttle.client_address(request)
        try:
            # Only misses are counted (a lookup that finds costs a read, not a write); an
            # address over the limit gets no answer at all, found or not.
            if throttle.blocked("track-miss", address, limit=10 * _factor(), seconds=600):
                raise throttle.TooMany(str(throttle.TOO_MANY))
            found = selectors.track(number=form.cleaned_data["number"], phone=phone)
            if found is None:
                _address_hit(request, "track-miss", 10, 600)
                error = str(selectors.NO_MATCH)
        except DomainError as exc:
            error, limited = exc.message, isinstance(exc, throttle.TooMany)
    elif form.is_bound:
        error = str(selectors.NO_MATCH)
    rate_form = None
    if found and found.ticket and proved and selectors.can_rate(phone=proved, ticket=found.ticket):
        rate_form = forms.RateForm()
    context = {
        "form": form,
        "found": found,
        "error": error,
        "proved": proved,
        "rate_form": rate_form,
    }
    return render(request, "portal/track.html", context, status=429 if limited else 200)


@login_not_required
def mine(request: HttpRequest) -> HttpResponse:
    phone = verified_phone(request)
    if not phone:
        return redirect("/portal/verify/?next=mine")
    rows = selectors.own_list(phone=phone)
    return render(request, "portal/mine.html", {"rows": rows, "phone": phone})


@login_not_required
@require_http_methods(["POST"])
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """The citizen's own return visit (R-FB-2), by a proved phone only."""
    phone = verified_phone(request)
    if not phone:
        return redirect("/portal/verify/?next=mine")
    ticket = Ticket.objects.filter(selectors.tickets_of(phone), number=number).first()
    form = forms.RateForm(request.POST)
    error = selectors.NO_MATCH if ticket is None else ""
    if ticket is not None and form.is_valid():
        try:
            services.portal_rate(phone=phone, ticket=ticket, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            return render(request, "portal/rated.html", {"number": ticket.number})
    found = selectors.track(number=number, phone=phone) if ticket else None
    context = {
        "form": forms.TrackForm(initial={"number": number}),
        "found": found,
        "error": error or _("Please choose the three scores and whether it is solved"),
        "proved": phone,
        "rate_form": form,
    }
    return render(request, "portal/track.html", context, status=400)
