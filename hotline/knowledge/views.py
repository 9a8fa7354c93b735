"""The knowledge pages (R-KB) and the intake panel (R-HM-1, R-HM-2, ZS 35). Thin: each
button calls one service; a refused action becomes a message and status 400/409."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import Capability, can
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.directory.forms import ImportForm
from hotline.directory.models import Unit
from hotline.directory.services import ImportRejected
from hotline.knowledge import importing, selectors, services
from hotline.knowledge.forms import AttachmentForm, EntryForm, ReasonForm, SearchForm
from hotline.knowledge.models import Entry, EntryVersion, Kind, Status
from hotline.knowledge.permissions import is_hotline, owns
from hotline.knowledge.policy import UNRELEASED_MARK

VIEW = Capability.VIEW_KNOWLEDGE


def _context(request: HttpRequest, tab: str, **extra) -> dict:
    user = request.user
    return {
        "section": SECTION_BY_KEY["knowledge"],
        "tab": tab,
        "may_edit": can(user, Capability.EDIT_KNOWLEDGE),
        "may_review": can(user, Capability.REVIEW_KNOWLEDGE),
        "unreleased_mark": UNRELEASED_MARK,
        **extra,
    }


def _refused(request: HttpRequest, exc: DomainError) -> int:
    messages.error(request, exc.message)
    return exc.status if exc.status in (400, 403, 404, 409) else 400


@capability_required(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    """Search with filters (unit, topic, kind, valid on a date), else the entries list."""
    form = SearchForm(request.GET or None)
    results: list = []
    page = None
    query = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        query = data["q"].strip()
        results = selectors.search(
            request.user,
            query,
            on=data["on"],
            limit=20,
            kinds=[data["kind"]] if data["kind"] else None,
            owner=data["owner"],
            topic=data["topic"],
        )
    else:
        status = request.GET.get("status", "")
        owner = getattr(request.user, "unit", None) if request.GET.get("mine") else None
        rows = selectors.entries(request.user, status=status, owner=owner)
        page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = _context(
        request,
        "search",
        form=form,
        query=query,
        results=results,
        page=page,
        short=bool(request.GET.get("q")) and not query,
        statuses=Status.choices,
    )
    return render(request, "knowledge/home.html", context)


@capability_required(VIEW)
def review(request: HttpRequest) -> HttpResponse:
    """Awaiting review (the hotline), stale entries and open corrections (everyone: own)."""
    context = _context(
        request,
        "review",
        now=clock.now(),
        awaiting=selectors.awaiting_review(request.user)[:100],
        stale=selectors.stale(request.user)[:100],
        corrections=selectors.open_corrections(request.user)[:100],
    )
    return render(request, "knowledge/review.html", context)


def _owners(user):
    if can(user, Capability.REVIEW_KNOWLEDGE) or user.unit_id is None:
        return None
    return Unit.objects.filter(pk=user.unit_id) | Unit.objects.filter(parent_id=user.unit_id)


@capability_required(Capability.EDIT_KNOWLEDGE)
def entry_new(request: HttpRequest) -> HttpResponse:
    emergency = request.GET.get("emergency") == "1" or request.POST.get("emergency") == "1"
    status = 200
    initial: dict[str, object] = {
        "kind": Kind.SCRIPT if emergency else request.GET.get("kind", Kind.QA)
    }
    unit_id = getattr(request.user, "unit_id", None)
    if unit_id:
        initial["owner"] = unit_id
    initial["effective"] = selectors.today()
    form = EntryForm(request.POST or None, owners=_owners(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if emergency:
                entry = services.script_publish_emergency(
                    actor=request.user, owner=form.cleaned_data["owner"], content=form.content()
                )
            else:
                entry = services.entry_create(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    owner=form.cleaned_data["owner"],
                    content=form.content(),
                    submit="submit" in request.POST,
                )
        except DomainError as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("Entry saved."))
            return redirect("knowledge:entry", entry.pk)
    elif request.method == "POST":
        status = 400
    context = _context(request, "new", form=form, emergency=emergency, entry=None)
    return render(request, "knowledge/entry_form.html", context, status=status)


def _entry(request: HttpRequest, pk: int) -> Entry:
    return get_object_or_404(
        Entry.objects.visible_to(request.user).select_related(
            "owner", "latest_version", "published_version"
        ),
        pk=pk,
    )


@capability_required(VIEW)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    # Others read the published words; the owner and the hotline see the latest draft.
    insider = owns(request.user, entry) or is_hotline(request.user)
    shown = entry.published_version if entry.published_version and not insider else entry.current
    today = selectors.today()
    context = _context(
        request,
        "entry",
        entry=entry,
        version=shown,
        versions=entry.versions.select_related("created_by").order_by("-number"),
        events=selectors.history(entry)[:50],
        attachments=entry.attachments.all(),
        reports=entry.error_reports.select_related("reported_by").order_by("-reported_at")[:20],
        unreleased=shown.unreleased_on(today),
        valid=shown.valid_on(today),
        may_change=can(request.user, Capability.REVIEW_KNOWLEDGE) or owns(request.user, entry),
        attach_form=AttachmentForm(),
        uses=entry.uses.count(),
    )
    return render(request, "knowledge/entry_detail.html", context)


@capability_required(VIEW)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The exact words a ticket was given (linked from the ticket)."""
    version = get_object_or_404(
        EntryVersion.objects.filter(entry__in=Entry.objects.visible_to(request.user)), pk=pk
    )
    return render(
        request,
        "knowledge/version.html",
        _context(request, "entry", version=version, entry=version.entry),
    )


@capability_required(Capability.EDIT_KNOWLEDGE)
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    status = 200
    current = entry.latest_version
    initial = {"kind": entry.kind, "owner": entry.owner_id, **{
        name: getattr(current, name) for name in (
            "title", "answer", "body", "keywords", "topic", "effective", "expires", "review_by",
            "release_on", "public_phone", "service_hours", "works_kind", "works_region",
            "works_places", "works_start", "works_end",
        )
    }}  # fmt: skip
    form = EntryForm(request.POST or None, owners=_owners(request.user), initial=initial)
    form.fields["kind"].disabled = form.fields["owner"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_edit(
                actor=request.user,
                entry=entry,
                content=form.content(),
                note=form.cleaned_data["note"],
            )
            if "submit" in request.POST:
                services.entry_submit(actor=request.user, entry=entry)
        except DomainError as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("New version saved."))
            return redirect("knowledge:entry", entry.pk)
    elif request.method == "POST":
        status = 400
    context = _context(request, "edit", form=form, entry=entry, emergency=False)
    return render(request, "knowledge/entry_form.html", context, status=status)


ACTIONS = {
    "submit": lambda user, entry, reason: services.entry_submit(actor=user, entry=entry),
    "approve": lambda user, entry, reason: services.entry_approve(actor=user, entry=entry),
    "return": lambda user, entry, reason: services.entry_return(
        actor=user, entry=entry, reason=reason
    ),
    "withdraw": lambda user, entry, reason: services.entry_withdraw(actor=user, entry=entry),
    "report": lambda user, entry, reason: services.error_report(
        actor=user, entry=entry, reason=reason
    ),
}
DONE = {
    "submit": _("Submitted for review."),
    "approve": _("Published."),
    "return": _("Returned to the owner."),
    "withdraw": _("Withdrawn."),
    "report": _("Error reported; the owner has been told and must correct it by the deadline."),
}


@require_POST
@capability_required(VIEW)
def entry_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    entry = _entry(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        ACTIONS[action](request.user, entry, reason)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, str(DONE[action]))
    if request.headers.get("HX-Request") and action == "report":
        return HttpResponse(f'<span class="tag">{_("Reported")}</span>')
    return redirect("knowledge:entry", entry.pk)


@require_POST
@capability_required(Capability.EDIT_KNOWLEDGE)
def entry_attach(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("knowledge:entry", entry.pk)
    upload = form.cleaned_data["file"]
    try:
        services.check_attachment_size(upload.size)  # before reading it into memory
        services.attachment_add(
            actor=request.user,
            entry=entry,
            name=upload.name,
            data=upload.read(),
            official=form.cleaned_data["official"],
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("File attached."))
    return redirect("knowledge:entry", entry.pk)


@require_GET
@capability_required(Capability.INTAKE)
def intake_panel(request: HttpRequest) -> HttpResponse:
    """Works notices where the caller is, then the best entries for what they said (htmx)."""
    summary = request.GET.get("summary", "")
    detail = request.GET.get("detail", "")
    place = request.GET.get("address", "")
    question = f"{summary} {detail}".strip()[:1000]
    region = None
    region_id = request.GET.get("region", "")
    if region_id.isdigit():
        region = Unit.objects.filter(pk=int(region_id)).first()
    notices = selectors.works_notices(place=f"{place} {question}", region=region)
    shown = {n.pk for n in notices}  # a notice already shown first is not repeated
    results = [
        r
        for r in selectors.search(request.user, question, on=selectors.today(), limit=6)
        if r.version.pk not in shown
    ][:5]
    for r in results:
        if r.entry.kind == Kind.SERVICE:
            r.guide = selectors.guidance_text(selectors.guidance_for(r.entry.owner))
    context = {
        "notices": notices,
        "results": results,
        "question": question,
        "meaningful": selectors.ranking.is_meaningful(question),
        "unreleased_mark": UNRELEASED_MARK,
    }
    return render(request, "knowledge/_intake_results.html", context)


@require_GET
@capability_required(Capability.SUPERVISE, Capability.REVIEW_KNOWLEDGE)
def overdue_corrections(request: HttpRequest) -> HttpResponse:
    """The supervisor board's section: corrections past their deadline (htmx)."""
    rows = selectors.overdue_corrections(request.user)[:50]
    return render(request, "knowledge/_overdue_corrections.html", {"rows": rows})


def _period(request: HttpRequest) -> tuple[date, date]:
    until = selectors.today()
    since = until - timedelta(days=29)
    for name in ("since", "until"):
        try:
            value = date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            continue
        since, until = (value, until) if name == "since" else (since, value)
    if since > until:
        since, until = until, since
    return since, until


@capability_required(VIEW)
def figures(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    data = selectors.figures(since=since, until=until)
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    return render(request, "knowledge/figures.html", _context(request, "figures", data=data))


@capability_required(Capability.REVIEW_KNOWLEDGE)
def import_page(request: HttpRequest) -> HttpResponse:
    errors: list = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            n = importing.entries_import(
                actor=request.user, file_name=upload.name, content=upload.read()
            )
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Imported %(n)s entries.") % {"n": n})
            return redirect("knowledge:home")
    status = 400 if errors or form.errors else 200
    context = _context(request, "import", form=form, errors=errors, columns=importing.COLUMNS)
    return render(request, "knowledge/import.html", context, status=status)


@capability_required(Capability.REVIEW_KNOWLEDGE)
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="knowledge-template.csv"'
    return response
