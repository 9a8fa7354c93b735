from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability, can
from hotline.core.http import redirect_next
from hotline.core.masking import mask_contact
from hotline.notifications import services
from hotline.notifications.models import Notification, NotificationChannel, Preference, State


def inbox(request):
    """The user's own in-app messages, newest first; `?group=ticket` shows one row per
    ticket with its count of unread messages, `?ticket=<number>` one ticket's messages."""
    messages = Notification.objects.filter(
        recipient=request.user, channel=NotificationChannel.INBOX
    )
    number = request.GET.get("ticket", "").strip()
    if number:
        messages = messages.filter(ticket__number=number)
    if request.GET.get("group") == "ticket":
        groups = (
            messages.exclude(ticket=None)
            .values("ticket__number", "ticket__summary")
            .annotate(
                total=Count("id"),
                unread=Count("id", filter=Q(read_at__isnull=True)),
                latest=Max("created_at"),
            )
            .order_by("-latest")
        )
        rows = Paginator(groups, 30).get_page(request.GET.get("page"))
        return render(request, "notifications/inbox.html", {"page": rows, "grouped": True})
    page = Paginator(messages.select_related("ticket"), 30).get_page(request.GET.get("page"))
    digest = Preference.objects.filter(user=request.user, daily_digest=True).exists()
    return render(
        request, "notifications/inbox.html", {"page": page, "ticket": number, "digest": digest}
    )


@require_POST
def inbox_read_all(request):
    ticket = request.POST.get("ticket", "").strip()
    ticket_id = None
    if ticket:
        found = Notification.objects.filter(recipient=request.user, ticket__number=ticket).first()
        ticket_id = found.ticket_id if found else -1
    services.inbox_mark_all_read(user=request.user, ticket_id=ticket_id)
    return redirect("notifications:inbox")


@require_POST
def digest_preference(request):
    """每日汇总: the user's own choice (issue 15 item 15)."""
    from django.contrib import messages as flash
    from django.utils.translation import gettext as _

    from hotline.notifications.digest import preference_set

    on = request.POST.get("daily_digest") == "on"
    preference_set(user=request.user, daily_digest=on)
    flash.success(
        request,
        _("Routine reminders now come in one message a day; urgent ones at once.")
        if on
        else _("Reminders now come one by one."),
    )
    return redirect("notifications:inbox")


@require_POST
def inbox_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.inbox_mark_read(user=request.user, notification=note)
    return redirect_next(request, "notifications:inbox")


@capability_required(Capability.SUPERVISE)
def delivery_log(request):
    """What did not go out: supervisors see failures and retries (never blocking tickets)."""
    state = request.GET.get("state", State.FAILED)
    rows = Notification.objects.exclude(channel=NotificationChannel.INBOX)
    if state in State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.select_related("ticket", "recipient"), 50).get_page(
        request.GET.get("page")
    )
    # Citizens' phones (the confidential caller's too) masked for roles without
    # personal-data access: the log is about delivery, not about who (issue 14 item 3).
    unmasked = can(request.user, Capability.VIEW_PERSONAL_DATA)
    for note in page:
        shown = note.address if unmasked else mask_contact(note.address)
        note.shown_address = shown  # type: ignore[attr-defined]
    return render(
        request, "notifications/log.html", {"page": page, "state": state, "states": State.choices}
    )
