"""The personal-data access log: browse and export (supervisors, administrators)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability
from hotline.core.access_log import access_log_verify
from hotline.core.excel import SafeWorkbook
from hotline.core.models import AccessRecord, audit

EXPORT_LIMIT = 50_000


class AccessLogFilter(forms.Form):
    username = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    ticket = forms.CharField(label=gettext_lazy("Ticket"), required=False, max_length=20)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _rows(request) -> tuple[AccessLogFilter, QuerySet[AccessRecord]]:
    form = AccessLogFilter(request.GET or None)
    rows = AccessRecord.objects.all()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            rows = rows.filter(username__iexact=data["username"].strip())
        if data["ticket"]:
            rows = rows.filter(ticket_number=data["ticket"].strip())
        if data["date_from"]:
            rows = rows.filter(
                at__gte=timezone.make_aware(datetime.combine(data["date_from"], time.min))
            )
        if data["date_to"]:
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min)
            rows = rows.filter(at__lt=timezone.make_aware(end))
    return form, rows.order_by("-at", "-id")


@capability_required(Capability.VIEW_ACCESS_LOG)
def access_log(request):
    form, rows = _rows(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    tampered = access_log_verify(AccessRecord.objects.filter(pk__in=[r.pk for r in page]))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "site/access_log.html",
        {"form": form, "page": page, "tampered": set(tampered), "query": query.urlencode()},
    )


@capability_required(Capability.VIEW_ACCESS_LOG)
def access_log_export(request):
    _form, rows = _rows(request)
    book = SafeWorkbook()
    sheet = book.sheet(_("Personal-data accesses"), widths=(17, 14, 12, 10, 17, 30, 15, 24))
    book.append(
        sheet,
        [
            _("At"),
            _("User"),
            _("Role"),
            _("What"),
            _("Ticket"),
            _("Page"),
            _("Address"),
            _("Detail"),
        ],
        bold=True,
    )
    written = 0
    for row in rows[:EXPORT_LIMIT].iterator(chunk_size=2000):
        book.append(
            sheet,
            [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.username,
                row.role,
                row.what,
                row.ticket_number,
                row.page,
                row.ip or "",
                row.detail,
            ],
        )
        written += 1
    audit(kind="access_log_exported", actor=request.user, rows=written)
    response = HttpResponse(
        book.to_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.xlsx"'
    return response
