from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability, can
from hotline.core.access import access
from hotline.core.errors import DomainError
from hotline.core.http import redirect_next
from hotline.core.refusals import refused, refused_then
from hotline.supervision import documents, pdf, selectors, services
from hotline.supervision.forms import DocumentIssueForm, MeetingForm
from hotline.supervision.models import Meeting
from hotline.tickets.models import Assignment


def _visible_assignment(request, pk: int) -> Assignment:
    return access(
        Assignment.objects.visible_to(request.user).select_related("ticket", "unit"), pk=pk
    )


@require_POST
@capability_required(Capability.SUPERVISE)
def remind(request, pk: int):
    assignment = _visible_assignment(request, pk)
    try:
        services.reminder_send(
            actor=request.user, assignment=assignment, note=request.POST.get("note", "").strip()
        )
    except DomainError as exc:
        return refused_then(request, exc, redirect_next(request, "section-supervision"))
    messages.success(
        request,
        _("Reminder sent to %(unit)s: %(number)s")
        % {"unit": assignment.unit.name, "number": assignment.ticket.number},
    )
    return redirect_next(request, "section-supervision")


@require_POST
@capability_required(Capability.SUPERVISE)
def issue(request, pk: int):
    """A supervision letter or efficiency recommendation by hand."""
    assignment = _visible_assignment(request, pk)
    form = DocumentIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose which document to issue."))
    else:
        try:
            document = services.document_issue(
                actor=request.user,
                assignment=assignment,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            return refused_then(request, exc, redirect_next(request, "section-supervision"))
        messages.success(request, _("Issued %(number)s.") % {"number": document.number})
    return redirect_next(request, "section-supervision")


def document_download(request, pk: int):
    document = access(selectors.documents_visible_to(request.user), pk=pk)
    if not document.file:
        document = documents.document_render(document)  # not yet rendered by the tick
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.file.name.rsplit("/", 1)[-1]}"'
    return response


@capability_required(Capability.SUPERVISE)
def document_list(request):
    rows = selectors.documents_visible_to(request.user).order_by("-issued_at", "-id")
    kind = request.GET.get("kind", "")
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "supervision/document_list.html", {"page": page, "kind": kind})


def _month_context(request, month_text: str | None = None) -> dict:
    month = selectors.parse_month(month_text or request.GET.get("month"))
    return {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "previous": selectors.previous_month(month).strftime("%Y-%m"),
        "next": selectors.next_month(month).strftime("%Y-%m"),
    }


@capability_required(Capability.REPORTS)
def criticism(request):
    context = _month_context(request)
    context["rows"] = selectors.criticism_list(context["month"])
    return render(request, "supervision/criticism.html", context)


@capability_required(Capability.REPORTS)
def bulletin(request):
    context = _month_context(request)
    context["b"] = selectors.bulletin(context["month"])
    return render(request, "supervision/bulletin.html", context)


def _month_or_404(month: str):
    parsed = selectors.parse_month(month)
    if parsed.strftime("%Y-%m") != month:
        raise Http404
    return parsed


@capability_required(Capability.REPORTS)
def bulletin_xlsx(request, month: str):
    data = pdf.bulletin_xlsx(selectors.bulletin(_month_or_404(month)))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="bulletin-{month}.xlsx"'
    return response


@capability_required(Capability.REPORTS)
def bulletin_pdf(request, month: str):
    data = pdf.bulletin_pdf(selectors.bulletin(_month_or_404(month)))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bulletin-{month}.pdf"'
    return response


def _may_see_meetings(user) -> bool:
    return can(user, Capability.SUPERVISE) or can(user, Capability.RECORD_MEETINGS)


def meeting_list(request):
    if not _may_see_meetings(request.user):
        raise DjangoPermissionDenied(Capability.RECORD_MEETINGS.value)
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.meetings(request.user, kind=kind), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/meeting_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            "may_record": can(request.user, Capability.RECORD_MEETINGS),
        },
    )


@capability_required(Capability.RECORD_MEETINGS)
def meeting_create(request):
    initial = {"kind": request.GET.get("kind", Meeting.Kind.ONSITE)}
    if request.GET.get("ticket"):
        initial["tickets"] = request.GET["ticket"]
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_record(actor=request.user, **data)
            except DomainError as exc:
                status = refused(request, exc)
            else:
                messages.success(request, _("Recorded: %(meeting)s") % {"meeting": meeting})
                return redirect("supervision:meetings")
        else:
            status = 400
    return render(request, "supervision/meeting_form.html", {"form": form}, status=status)
