"""Thin pages of the reports app: the leaders' dashboard (the reports section's home),
the assessment table with its drill-down, schemes, periods, report documents, and the
public results page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability, can
from hotline.core.errors import DomainError
from hotline.directory.models import Topic, Unit
from hotline.directory.selectors import today, unit_by_code
from hotline.reports import aggregate, dashboard, documents, schemes, selectors, services
from hotline.reports import indicators as ind
from hotline.reports.models import Period, ReportDocument, Scheme
from hotline.tickets.models import TicketChannel

STAFF = Capability.VIEW_POLICIES  # every member of staff, units included


def _span(request, default: selectors.Span | None = None) -> tuple[selectors.Span, str]:
    """The period of the page: ?from=&to=, else the default (this month); an error
    message when bad."""
    default = default or selectors.month_span(today())
    start, end = request.GET.get("from"), request.GET.get("to")
    if not start and not end:
        return default, ""
    try:
        return selectors.parse_span(start, end), ""
    except DomainError as exc:
        return default, exc.message


def dashboard_context(request) -> dict[str, Any]:
    """The reports section's home for 市领导 and 分析员 (R-DA-3); trends and rankings over
    the last 30 days unless a period is chosen."""
    span, error = _span(request, selectors.Span(today() - timedelta(days=29), today()))
    filters = {k: request.GET.get(k, "") for k in ("kind", "channel", "topic_id", "region_id")}
    unit_code = request.GET.get("unit", "")
    if unit_code and not Unit.objects.filter(code=unit_code).exists():
        error = error or _("No unit has the code %(code)s") % {"code": unit_code[:20]}
        unit_code = ""
    context = dashboard.build(span, filters=filters, unit_code=unit_code)
    context.update(
        {
            "error": error,
            "filters": filters,
            "unit_code": unit_code,
            "units": selectors.assessed_units(),
            "regions": Unit.objects.active().filter(kind__in=["district", "town"]),
            "topics": Topic.objects.filter(parent__isnull=True).order_by("code")[:50],
            "channels": TicketChannel.choices,
            "kinds": documents.ind_kind_labels(),
            "refreshed_at": aggregate.last_refreshed(),
        }
    )
    return context


@capability_required(STAFF)
def assessment(request):
    """Scores and rankings per unit kind (R-AS-2); a unit sees its own row and the
    published rankings."""
    span, error = _span(request)
    if error:
        messages.error(request, error)
    try:
        result = selectors.assessment(span, scheme_code=request.GET.get("scheme") or None)
    except DomainError as exc:  # an unknown scheme, or none installed yet
        messages.error(request, exc.message)
        return render(request, "reports/assessment.html", {"span": span, "groups": []})
    published = bool(result["period"] and result["period"].published_at)
    rows = selectors.visible_rows(request.user, result["rows"], published=published)
    unit_metrics = [m for m in ind.METRICS if m.key not in ind.HOTLINE_METRICS]
    drill = f"{reverse('reports:drill')}?from={span.start}&to={span.end}"
    for row in rows:  # cells as lists: the template does no lookups per cell
        row["drill"] = f"{drill}&unit={row['code']}&metric="
        row["rate_cells"] = [(row["rates"][r.key], r.numerator) for r in ind.RATES]
        row["count_cells"] = [(m.key, row["counts"][m.key]) for m in unit_metrics]
    groups = []
    for key, label in selectors.RANK_GROUP_LABELS.items():
        members = sorted(
            (r for r in rows if r["group"] == key), key=lambda r: (r["rank"] or 9999, r["code"])
        )
        if members:
            groups.append({"label": label, "rows": members})
    return render(
        request,
        "reports/assessment.html",
        {
            "span": span,
            "result": result,
            "groups": groups,
            "rates": ind.RATES,
            "metrics": unit_metrics,
            "schemes": Scheme.objects.all(),
            "published": published,
            "refreshed_at": aggregate.last_refreshed(),
            "can_publish": can(request.user, Capability.SUPERVISE),
        },
    )


@capability_required(STAFF)
def drill(request):
    """The tickets behind one number (design rule 5: through visible_to)."""
    span, error = _span(request)
    if error:
        messages.error(request, error)
    code = request.GET.get("unit", "")
    unit = unit_by_code(code) if code else None
    metric = request.GET.get("metric", "intake")
    dims = {k: request.GET.get(k, "") for k in selectors.DIMENSIONS}
    try:
        if code and unit is None:
            raise DomainError(
                _("No unit has the code %(code)s") % {"code": code[:20]}, code="unknown_unit"
            )
        tickets = selectors.tickets_behind(
            request.user, unit=unit, metric=metric, span=span, **dims
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        tickets = selectors.Ticket.objects.none()
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    label = ind.METRIC_BY_KEY[metric].label if metric in ind.METRIC_BY_KEY else "满意及基本满意"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/drill.html",
        {"unit": unit, "label": label, "span": span, "page": page, "query": query.urlencode()},
    )


@capability_required(Capability.MANAGE, Capability.REPORTS)
def scheme_list(request):
    return render(
        request,
        "reports/schemes.html",
        {
            "schemes": Scheme.objects.prefetch_related("versions"),
            "presets": schemes.PRESETS.values(),
            "can_manage": can(request.user, Capability.MANAGE),
            "period_labels": schemes.PERIOD_LABELS,
        },
    )


@require_POST
@capability_required(Capability.MANAGE)
def scheme_action(request):
    action = request.POST.get("action")
    try:
        if action == "install":
            services.scheme_install_preset(actor=request.user, code=request.POST.get("code", ""))
        elif action == "copy":
            source = get_object_or_404(Scheme, code=request.POST.get("source"))
            services.scheme_copy(
                actor=request.user,
                source=source,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
            )
        elif action == "default":
            scheme = get_object_or_404(Scheme, code=request.POST.get("code"))
            services.scheme_set_default(actor=request.user, scheme=scheme)
        messages.success(request, _("Saved"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reports:schemes")


@capability_required(Capability.MANAGE)
def scheme_edit(request, code: str):
    """Weights, deductions and manual items edited as JSON; saving adds a version."""
    import json

    scheme = get_object_or_404(Scheme, code=code)
    latest = scheme.versions.order_by("-number").first()
    text = json.dumps(latest.data if latest else {}, ensure_ascii=False, indent=2)
    if request.method == "POST":
        text = request.POST.get("data", "")
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            messages.error(request, _("The scheme is not a valid JSON object"))
        else:
            try:
                services.scheme_version_create(
                    actor=request.user,
                    scheme=scheme,
                    data=data,
                    note=request.POST.get("note", ""),
                    based_on=int(request.POST.get("based_on") or 0) or None,
                )
                messages.success(request, _("Saved as a new version"))
                return redirect("reports:schemes")
            except DomainError as exc:
                messages.error(request, exc.message)
    weight_keys = [(r.key, r.label) for r in ind.RATES]
    weight_keys += [(key, label) for key, (label, _prefix) in ind.SCORES.items()]
    return render(
        request,
        "reports/scheme_edit.html",
        {"scheme": scheme, "latest": latest, "text": text, "weight_keys": weight_keys},
    )


@capability_required(Capability.SUPERVISE, Capability.REPORTS)
def period_list(request):
    return render(
        request,
        "reports/periods.html",
        {
            "periods": Period.objects.select_related("scheme_version__scheme"),
            "kinds": schemes.PERIOD_LABELS.items(),
            "can_publish": can(request.user, Capability.SUPERVISE),
            "units": selectors.assessed_units(),
            "month": selectors.month_span(today().replace(day=1) - timedelta(days=1)),
        },
    )


@require_POST
@capability_required(Capability.SUPERVISE)
def period_action(request):
    post = request.POST
    try:
        start, end = (
            date.fromisoformat(post.get("from", "")),
            date.fromisoformat(post.get("to", "")),
        )
    except ValueError:
        messages.error(request, _("Enter the start and end dates as YYYY-MM-DD"))
        return redirect("reports:periods")
    try:
        if post.get("action") == "publish":
            services.period_publish(
                actor=request.user, kind=post.get("kind", ""), start=start, end=end
            )
            messages.success(request, _("The assessment results are published"))
        else:
            unit = get_object_or_404(Unit, code=post.get("unit"))
            try:
                score = float(post.get("score", ""))
            except ValueError:
                raise DomainError(_("The score should be a number")) from None
            services.manual_score_set(
                actor=request.user,
                kind=post.get("kind", ""),
                start=start,
                end=end,
                unit=unit,
                item=post.get("item", ""),
                score=score,
                note=post.get("note", ""),
            )
            messages.success(request, _("The manual score is saved"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reports:periods")


@capability_required(Capability.REPORTS)
def document_list(request):
    if request.method == "POST":
        try:
            start = date.fromisoformat(request.POST.get("from", ""))
            end = date.fromisoformat(request.POST.get("to", ""))
            doc = services.report_draft(
                actor=request.user, kind=request.POST.get("kind", ""), start=start, end=end
            )
            return redirect("reports:document", pk=doc.pk)
        except ValueError:
            messages.error(request, _("Enter the start and end dates as YYYY-MM-DD"))
        except DomainError as exc:
            messages.error(request, exc.message)
    month = selectors.month_span(today().replace(day=1) - timedelta(days=1))
    return render(
        request,
        "reports/documents.html",
        {
            "documents": Paginator(ReportDocument.objects.all(), 30).get_page(
                request.GET.get("page")
            ),
            "kinds": ReportDocument.Kind.choices,
            "month": month,
        },
    )


@capability_required(Capability.REPORTS)
def document_detail(request, pk: int):
    doc = get_object_or_404(ReportDocument, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "issue":
                services.report_issue(actor=request.user, document=doc)
                messages.success(request, _("Numbered and issued"))
            else:
                services.report_edit(
                    actor=request.user,
                    document=doc,
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                    version=int(request.POST.get("version") or -1),
                )
                messages.success(request, _("Saved"))
            return redirect("reports:document", pk=doc.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "reports/document.html", {"doc": doc})


EXPORTS = {
    "pdf": (documents.document_pdf, "application/pdf"),
    "docx": (
        documents.document_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        documents.document_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@capability_required(Capability.REPORTS)
def document_export(request, pk: int, fmt: str):
    doc = get_object_or_404(ReportDocument, pk=pk)
    if fmt not in EXPORTS:
        raise Http404
    render_bytes, content_type = EXPORTS[fmt]
    response = HttpResponse(render_bytes(doc), content_type=content_type)
    name = f"report-{doc.year or 'draft'}-{doc.sequence or doc.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_not_required
def public_results(request):
    """Published periods' rankings and rates and the hotline's own figures, without
    login (R-FB-5, LX 四5, ZS 39): unit names and numbers only, no personal data, no
    ticket text."""
    periods = list(Period.objects.filter(published_at__isnull=False)[:12])
    chosen = periods[0] if periods else None
    wanted = request.GET.get("period")
    if wanted:
        chosen = next((p for p in periods if str(p.pk) == wanted), None)
        if chosen is None:
            raise Http404
    rows: list[dict[str, Any]] = []
    hotline: dict[str, Any] | None = None
    if chosen is not None:
        for row in chosen.result.get("rows", []):
            # In the order of the header; a rate added after publication shows "—".
            rates = {r.key: ind.Ratio(*row["rates"].get(r.key, (0, 0))) for r in ind.RATES}
            rows.append(
                {
                    **row,
                    "rates": rates,
                    "group_label": selectors.rank_group_label(row["group"]),
                }
            )
        rows.sort(key=lambda r: (r["group"], r["rank"] or 9999))
        figures = selectors.hotline_figures(selectors.Span(chosen.start, chosen.end))
        hotline = {**figures, "satisfy": ind.Ratio(figures["pleased"], figures["visited"])}
    return render(
        request,
        "reports/public.html",
        {
            "periods": periods,
            "chosen": chosen,
            "rows": rows,
            "hotline": hotline,
            "rates": ind.RATES,
            "period_labels": schemes.PERIOD_LABELS,
        },
    )
