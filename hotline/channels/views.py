"""The operators' online queue (受理审核) and the administrator's channel settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability
from hotline.channels import selectors, services, transfers
from hotline.channels.forms import AcceptForm, ChannelForm, DeclineForm, MergeForm
from hotline.channels.models import MessageSecurity, OnlineRequest, Partner
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.tickets.models import Ticket, TicketChannel


@capability_required(Capability.INTAKE)
def queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "pending")
    if state not in OnlineRequest.State.values:
        state = "pending"
    channel = request.GET.get("channel", "")
    if channel not in TicketChannel.values:
        channel = ""
    rows = selectors.online_queue(request.user, state=state, channel=channel)
    if state != "pending":
        rows = rows.order_by("-handled_at", "-id")
    context = {
        "page": Paginator(rows, 30).get_page(request.GET.get("page")),
        "state": state,
        "channel": channel,
        "states": OnlineRequest.State.choices,
        "channels": [c for c in TicketChannel.choices if c[0] != TicketChannel.PHONE],
        "now": clock.now(),
    }
    return render(request, "channels/queue.html", context)


def _accept_initial(item: OnlineRequest) -> dict:
    return {
        "kind": item.kind or "help",
        "summary": item.subject,
        "detail": item.body,
        "place": item.place,
        "name": item.name,
        "phone": item.phone,
        "urgency": "normal",
        "confidential": item.confidential,
    }


def _act(request: HttpRequest, item: OnlineRequest, forms: dict) -> str | None:
    """Run the chosen action; the message to show on success, else None (forms carry
    the errors)."""
    action = request.POST.get("action")
    if action == "accept":
        form = forms["accept"] = AcceptForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ticket = services.online_request_accept(
                actor=request.user,
                request=item,
                kind=d["kind"],
                summary=d["summary"],
                detail=d["detail"],
                place=d["place"],
                name=d["name"],
                phone=d["phone"],
                urgency=d["urgency"],
                confidential=d["confidential"],
            )
            return _("Accepted as ticket %(number)s.") % {"number": ticket.number}
    elif action == "merge":
        merge = forms["merge"] = MergeForm(request.POST)
        if merge.is_valid():
            into = Ticket.objects.filter(number=merge.cleaned_data["into"].strip()).first()
            if into is None:
                merge.add_error("into", _("No ticket has this number."))
                return None
            services.online_request_merge(
                actor=request.user, request=item, into=into, note=merge.cleaned_data["note"]
            )
            return _("Merged into ticket %(number)s.") % {"number": into.number}
    elif action == "decline":
        decline = forms["decline"] = DeclineForm(request.POST)
        if decline.is_valid():
            services.online_request_decline(
                actor=request.user,
                request=item,
                reason=decline.cleaned_data["reason"],
                code=decline.cleaned_data["code"],
            )
            return _("Declined; the citizen is told the reason.")
    return None


@capability_required(Capability.INTAKE)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.online_request_get(request.user, pk)
    if item is None:
        raise Http404
    forms: dict = {
        "accept": AcceptForm(initial=_accept_initial(item)),
        "merge": MergeForm(),
        "decline": DeclineForm(),
    }
    status = 200
    if request.method == "POST":
        try:
            done = _act(request, item, forms)
        except DomainError as exc:
            messages.error(request, exc.message)
            done, status = None, exc.status
        if done:
            messages.success(request, done)
            return redirect("channels:queue")
        status = status if status != 200 else 400
    context = {"item": item, "forms": forms, "now": clock.now()}
    return render(request, "channels/review.html", context, status=status)


@capability_required(Capability.INTAKE)
def attachment(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    item = selectors.online_request_get(request.user, pk)
    found = item and item.attachments.filter(pk=file_pk).first()
    if not found:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )


@capability_required(Capability.MANAGE)
def channel_list(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ChannelForm(request.POST)
        channel = request.POST.get("channel", "")
        if form.is_valid():
            try:
                services.channel_configure(
                    actor=request.user,
                    channel=channel,
                    open=form.cleaned_data["open"],
                    closed_message=form.cleaned_data["closed_message"],
                    message_security=form.cleaned_data["message_security"] or None,
                    aes_key=form.cleaned_data["aes_key"] or None,
                )
                messages.success(request, _("Channel setting saved."))
                return redirect("channels:settings")
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status
        else:
            messages.error(request, _("Check the message when closed (200 characters at most)."))
            status = 400
    context = {
        "rows": selectors.channel_settings(),
        "closed_text": selectors.CLOSED_TEXT,
        "securities": MessageSecurity.choices,
    }
    return render(request, "channels/settings.html", context, status=status)


@capability_required(Capability.INTAKE, Capability.DISPATCH)
def transfer(request: HttpRequest, number: str) -> HttpResponse:
    """Transfer a ticket out to a partner hotline (POST from the ticket page)."""
    ticket = Ticket.objects.visible_to(request.user).filter(number=number).first()
    if ticket is None or request.method != "POST":
        raise Http404
    partner = Partner.objects.filter(pk=_int(request.POST.get("partner"))).first()
    if partner is None:
        messages.error(request, _("Choose the partner hotline."))
    else:
        try:
            transfers.transfer_out(
                actor=request.user,
                ticket=ticket,
                partner=partner,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Transferred to %(name)s.") % {"name": partner.name})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("tickets:detail", ticket.number)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
