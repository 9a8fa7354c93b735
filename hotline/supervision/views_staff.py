"""Staff performance and quality review pages (R-AS-3, SR 七(二), ZS 33)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.models import Role, User
from hotline.accounts.permissions import Capability, can
from hotline.core.errors import DomainError
from hotline.core.excel import table_workbook
from hotline.core.models import audit
from hotline.core.refusals import refused_then
from hotline.supervision import performance, quality
from hotline.supervision.models import QualityReview
from hotline.tickets.selectors_followup import carry_overs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> tuple[performance.Period | None, str]:
    try:
        return performance.parse_period(request.GET.get("from"), request.GET.get("to")), ""
    except DomainError as exc:
        return None, exc.message


@capability_required(Capability.REPORTS, Capability.SUPERVISE)
def staff(request):
    """Per operator and per return visitor, for a period; ?format=xlsx downloads it."""
    period, error = _period(request)
    context = {
        "error": error,
        "from": request.GET.get("from", ""),
        "to": request.GET.get("to", ""),
        "period": period,
    }
    if period is None:
        return render(request, "supervision/staff.html", context, status=400)
    ops, vis = performance.operators(period), performance.visitors(period)
    if request.GET.get("format") == "xlsx":
        data = table_workbook(
            [
                (
                    _("Operators"),
                    performance.operator_columns(),
                    (performance.operator_cells(r) for r in ops),
                ),
                (
                    _("Return visitors"),
                    performance.visitor_columns(),
                    (performance.visitor_cells(r) for r in vis),
                ),
            ]
        )
        audit(
            kind="staff_performance_exported",
            actor=request.user,
            object_type="user",
            first=period.first.isoformat(),
            last=period.last.isoformat(),
        )
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="staff-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"'
        )
        return response
    context.update(
        operators=ops,
        visitors=vis,
        from_value=period.first.isoformat(),
        to_value=period.last.isoformat(),
    )
    return render(request, "supervision/staff.html", context)


def _int(text: str, label: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise DomainError(_("%(field)s must be a whole number") % {"field": label}) from None


@capability_required(Capability.SUPERVISE)
def quality_list(request):
    """质检: the sampled records, those waiting for a score first."""
    status = request.GET.get("status", "pending")
    rows = QualityReview.objects.select_related("ticket", "operator", "reviewer")
    if status == "pending":
        rows = rows.filter(reviewed_at__isnull=True)
    elif status == "done":
        rows = rows.filter(reviewed_at__isnull=False)
    page = Paginator(rows.order_by("-sampled_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/quality.html",
        {
            "page": page,
            "status": status,
            "operators": User.objects.filter(role=Role.OPERATOR).order_by("operator_no"),
            "may_review": can(request.user, Capability.SUPERVISE),
        },
    )


@require_POST
@capability_required(Capability.SUPERVISE)
def quality_sample(request):
    post = request.POST
    try:
        period = performance.parse_period(post.get("from"), post.get("to"))
        operator = None
        if post.get("operator"):
            operator = User.objects.filter(role=Role.OPERATOR, pk=post["operator"]).first()
            if operator is None:
                raise DomainError(_("No such operator"))
        created = quality.quality_sample(
            actor=request.user,
            start=period.start,
            end=period.end,
            per_operator=_int(post.get("per_operator", ""), _("Records sampled per operator")),
            operator=operator,
        )
    except DomainError as exc:
        return refused_then(request, exc, redirect("supervision:quality"))
    messages.success(request, _("%(n)s tickets sampled for quality review.") % {"n": len(created)})
    return redirect("supervision:quality")


@require_POST
@capability_required(Capability.SUPERVISE)
def quality_score(request, pk: int):
    review = get_object_or_404(QualityReview, pk=pk)
    post = request.POST
    try:
        quality.quality_review(
            actor=request.user,
            review=review,
            completeness=_int(post.get("completeness", ""), _("Record completeness score")),
            kind_correct=post.get("kind_correct") == "1",
            unit_correct=post.get("unit_correct") == "1",
            remarks=post.get("remarks", ""),
        )
    except DomainError as exc:
        back = redirect(post.get("next") or "supervision:quality")
        return refused_then(request, exc, back, about=review.ticket.number)
    messages.success(
        request, _("Quality review of %(number)s scored.") % {"number": review.ticket.number}
    )
    return redirect(post.get("next") or "supervision:quality")


@capability_required(Capability.SUPERVISE, Capability.DISPATCH)
def carry_over_list(request):
    """挂账: approved carry-overs still in hand, nearest promised date first; the pending
    requests below them (decision 0007)."""
    return render(
        request,
        "supervision/carry_overs.html",
        {
            "approved": carry_overs(user=request.user)[:500],
            "pending": carry_overs(user=request.user, decision="pending")[:500],
        },
    )
