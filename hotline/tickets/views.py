"""Ticket pages: a scoped, searchable list and the whole file of one ticket."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.models import UNIT_ROLES
from hotline.accounts.permissions import Capability
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.sla.selectors import work_calendar
from hotline.tickets import deadlines, exports, paging, record, selectors, services
from hotline.tickets.models import Ticket

PAGE_SIZE = 50
LIST_CAP = paging.LIST_CAP  # the list counts this many matches at most (issue 16)


def _search(request) -> tuple[exports.TicketSearchForm, QuerySet[Ticket] | None]:
    """The bound search form and its tickets (None when the form is invalid)."""
    form = exports.TicketSearchForm(request.GET or None, user=request.user)
    if not request.GET:
        return form, exports.ticket_search(user=request.user, data={})
    if not form.is_valid():
        return form, None
    return form, exports.ticket_search(user=request.user, data=form.cleaned_data)


class CappedPaginator(Paginator):
    """Counts at most `cap` matches: "more than 1,000" is all a person needs to know, and
    counting every match of a broad search over a city's tickets costs a full scan. The
    pages stop there too (a deep OFFSET is a scan as well): narrow the search or turn the
    order around to reach the rest. `counter` gives the count (exports.search_count: a
    unit's word search stops after a budget of word matches, "at least n")."""

    def __init__(
        self,
        object_list,
        per_page: int,
        *,
        cap: int,
        rows: QuerySet | None = None,
        counter: Callable[[], paging.Count] | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.rows = rows  # the same search planned for reading a page (search.matching)
        self.counter = counter

    @cached_property
    def counted(self) -> paging.Count:
        if self.counter is not None:
            return self.counter()
        # Unordered and only the keys: the database may stop at the cap (bench/pages.py).
        n = self.object_list.order_by().values("pk")[: self.cap + 1].count()  # type: ignore[attr-defined]
        return paging.Count(n, capped=n > self.cap)

    @cached_property
    def count(self) -> int:
        return self.counted.n

    @cached_property
    def more(self) -> bool:
        """Whether more tickets may match than were counted (beyond the cap or the
        budget)."""
        return self.counted.capped

    @cached_property
    def floor(self) -> int:
        """What the page says is matched at least: "1000+", or "240+" when the budget of
        word matches ran out first."""
        return min(self.count, self.cap)

    def page(self, number):
        """With `rows`, the page's rows come from windows of received time at the list's
        end (tickets.paging), not from sorting every match: however many there are, so a
        word search's page is read the same way, in as many statements, at every size."""
        rows = self.rows
        if rows is None or not paging.direction(rows):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # The list itself is the same search planned from its matches (`whole`).
        whole = self.object_list
        found = paging.first_rows(rows, bottom + self.per_page, whole=whole)  # type: ignore[arg-type]
        return Page(found[bottom:], number, self)


def _filters(request) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if k in exports.FILTERS and v}


@capability_required(Capability.VIEW_POLICIES)  # every member of staff
def ticket_list(request):
    """Search by number, phone (by role), words, unit, status, kind, topic and dates
    (issue 6 item 7); paginated on the server, the filters kept in every link."""
    form, tickets = _search(request)
    if tickets is None:
        messages.error(request, _("Please correct the marked fields."))
        tickets = Ticket.objects.none()
    rows = None
    counter: Callable[[], paging.Count] | None = None
    cap = min(LIST_CAP, exports.EXPORT_LIMIT)
    if form.is_valid():
        data = form.cleaned_data
        if exports.has_words(data):
            rows = exports.ticket_search(user=request.user, data=data, walk=True)
        counter = partial(exports.search_count, user=request.user, data=data, cap=cap)
    paginator = CappedPaginator(tickets, PAGE_SIZE, cap=cap, rows=rows, counter=counter)
    with paging.one_look():  # the count and the rows ask the index the same
        page = paginator.get_page(request.GET.get("page"))
    sort = request.GET.get("sort", "")
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "form": form,
            "page": page,
            "sort": "received" if sort == "received" else "-received",
            "filtered": bool(_filters(request)),
            "export_limit": exports.EXPORT_LIMIT,
            "cap": paginator.cap,
            "budget": paging.BUDGET,
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


@capability_required(Capability.VIEW_POLICIES)
def ticket_export(request):
    """The tickets of the same search as an Excel file, at most EXPORT_LIMIT rows."""
    _form, tickets = _search(request)
    if tickets is None:
        messages.error(request, _("Please correct the marked fields."))
        return redirect(f"{reverse('tickets:list')}?{request.GET.urlencode()}")
    total = tickets.count()
    content, _written = exports.export_workbook(
        request.user, tickets, total=total, filters=_filters(request)
    )
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tickets-{stamp}.xlsx"'
    response["X-Export-Rows"] = str(_written)
    response["X-Export-Total"] = str(total)
    return response


@capability_required(Capability.VIEW_POLICIES)
def ticket_detail(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    if ticket is None:
        raise Http404
    calendar = work_calendar()  # once for the page, not once per unit
    parts = []
    for assignment in ticket.assignments.all():
        explained = (
            deadlines.assignment_deadlines(ticket, assignment, calendar)
            if assignment.active
            else None
        )
        parts.append({"assignment": assignment, "deadlines": explained})
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "citizen": selectors.citizen_for(request.user, ticket),
            "parts": parts,
            "events": record.events_for(request.user, ticket),
            "visits": ticket.visits.all(),
            "record": record.ticket_record(request.user, ticket),
            "files": selectors.attachments_for(request.user, ticket),
            "may_attach_evidence": request.user.role not in UNIT_ROLES,
            "upload_mb": settings.HOTLINE_UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


@capability_required(Capability.VIEW_POLICIES)
def attachment_download(request, number: str, pk: int):
    ticket = Ticket.objects.visible_to(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    files = selectors.attachments_for(request.user, ticket)
    found = next((f for f in files if f.pk == pk), None)
    if found is None:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )


@require_POST
@capability_required(Capability.VIEW_POLICIES)
def attachment_upload(request, number: str):
    """Files on a ticket from its page (R-DA-1): the service checks who may see the
    ticket, the type and size limits and that units never file complaint evidence."""
    ticket = Ticket.objects.visible_to(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    uploads = request.FILES.getlist("file")
    if not uploads:
        messages.error(request, _("Choose a file to attach."))
        return redirect("tickets:detail", number=number)
    evidence = request.POST.get("evidence") == "on"
    try:
        with transaction.atomic():  # several files: all or none
            for upload in uploads:
                services.attachment_add(
                    actor=request.user, ticket=ticket, upload=upload, evidence=evidence
                )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d file(s) attached.") % {"n": len(uploads)})
    return redirect("tickets:detail", number=number)
