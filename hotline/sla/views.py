from __future__ import annotations

import calendar as month_calendar
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability, can
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.refusals import refused, refused_in_form, refused_then
from hotline.sla import compute, policies, policy_rows, presets, selectors, services
from hotline.sla.calendar import WorkCalendar
from hotline.sla.forms import CalculatorForm, OfficialYearForm, OverrideForm
from hotline.sla.policies import (
    Kind,
    Mode,
    Period,
    PeriodUnit,
    Urgency,
)
from hotline.sla.policy_form import PolicyEditForm

# --- calendar -------------------------------------------------------------------------


def _covers(cal: WorkCalendar, year: int) -> bool:
    return cal.first_day.year <= year <= cal.last_day.year


def _month(cal: WorkCalendar, year: int, month: int) -> dict[str, Any]:
    weeks, today = [], timezone.localdate(clock.now())
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[dict[str, Any] | None] = []
        for day in week:
            if day.month != month:
                cells.append(None)
                continue
            mark = cal.mark(day)
            cells.append(
                {
                    "day": day,
                    "workday": cal.is_workday(day),
                    "mark": mark,
                    "weekend": day.weekday() >= 5,
                    "today": day == today,
                }
            )
        weeks.append(cells)
    return {"number": month, "weeks": weeks}


@capability_required(Capability.VIEW_POLICIES)
def calendar_year(request, year: int | None = None):
    year = year or timezone.localdate(clock.now()).year
    cal = selectors.work_calendar()
    if not _covers(cal, year):
        raise Http404
    override_form = OverrideForm()
    status = 200
    if request.method == "POST":
        if not can(request.user, Capability.MANAGE):
            raise DjangoPermissionDenied(Capability.MANAGE.value)
        override_form = OverrideForm(request.POST)
        if override_form.is_valid():
            data = override_form.cleaned_data
            try:
                services.calendar_override_set(
                    actor=request.user,
                    day=data["day"],
                    workday=data["kind"] == "work",
                    reason=data["reason"],
                )
            except DomainError as exc:
                status = refused(request, exc)
            else:
                messages.success(
                    request,
                    _("The local change for %(day)s is saved and applies now")
                    % {"day": data["day"]},
                )
                return redirect("sla:calendar-year", year=data["day"].year)
    year_marks = cal.marks_between(date(year - 1, 12, 31), date(year, 12, 31))
    return render(
        request,
        "sla/calendar.html",
        {
            "year": year,
            "official": cal.has_official_schedule(year),
            "months": [_month(cal, year, m) for m in range(1, 13)],
            "marks": year_marks,
            "overrides": [o for o in selectors.overrides() if o.day.year == year],
            "override_form": override_form,
            "can_manage": can(request.user, Capability.MANAGE),
            "years": [y for y in range(year - 2, year + 3) if _covers(cal, y)],
        },
        status=400 if override_form.errors else status,
    )


@require_POST
@capability_required(Capability.MANAGE)
def override_remove(request, day: str):
    try:
        parsed = date.fromisoformat(day)
        services.calendar_override_remove(actor=request.user, day=parsed)
    except ValueError:
        raise Http404 from None
    except DomainError as exc:
        return refused_then(request, exc, redirect("sla:calendar"))
    messages.success(request, _("The local change for %(day)s is removed") % {"day": parsed})
    return redirect("sla:calendar-year", year=parsed.year)


@capability_required(Capability.MANAGE)
def official_year(request, year: int):
    errors: list = []
    status = 200
    from hotline.sla.models import OfficialYear
    from hotline.sla.schedule import format_schedule

    entered = OfficialYear.objects.filter(year=year).first()
    cal = selectors.work_calendar()
    if request.method == "POST":
        form = OfficialYearForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.official_year_enter(
                    actor=request.user,
                    year=year,
                    text=form.cleaned_data["text"],
                    notice=form.cleaned_data["notice"],
                )
            except DomainError as exc:
                status = refused(request, exc)
                if isinstance(exc, services.ScheduleRejected):
                    errors = exc.errors  # the lines named beside the text
            else:
                messages.success(
                    request,
                    _("The %(year)s holiday schedule is saved and applies now") % {"year": year},
                )
                return redirect("sla:calendar-year", year=year)
    else:
        marks = [
            m
            for m in cal.marks_between(date(year - 1, 12, 31), date(year, 12, 31))
            if m.source == "official"
        ]
        form = OfficialYearForm(
            initial={
                "notice": entered.notice if entered else "",
                "text": format_schedule(marks) if marks else "开始日期,结束日期,类型,名称\n",
            }
        )
    return render(
        request,
        "sla/official_year.html",
        {
            "year": year,
            "form": form,
            "errors": errors,
            "entered": entered,
            "official": cal.has_official_schedule(year),
        },
        status=400 if form.errors else status,
    )


# --- policies --------------------------------------------------------------------------


@capability_required(Capability.VIEW_POLICIES)
def policy_list(request):
    installed = selectors.policy_list()
    codes = {p.code for p in installed}
    # The versions come prefetched by policy_list(), newest first (PolicyVersion.Meta).
    rows = [(p, next(iter(p.versions.all()), None)) for p in installed]
    return render(
        request,
        "sla/policy_list.html",
        {
            "rows": rows,
            "available": [p for code, p in presets.PRESETS.items() if code not in codes],
            "can_manage": can(request.user, Capability.MANAGE),
        },
    )


@capability_required(Capability.VIEW_POLICIES)
def policy_detail(request, code: str):
    stored = selectors.policy_get(code=code)
    version = None
    if stored is not None:
        versions = list(stored.versions.all())
        wanted = request.GET.get("version")
        version = next((v for v in versions if str(v.number) == wanted), None) or (
            versions[0] if versions else None
        )
        if version is None:
            raise Http404
        policy = version.as_policy()
    elif code in presets.PRESETS:
        policy, versions = presets.PRESETS[code], []
    else:
        raise Http404
    return render(
        request,
        "sla/policy_detail.html",
        {
            "policy": policy,
            "stored": stored,
            "version": version,
            "versions": versions,
            "rules": policy_rows.rule_rows(policy),
            "clock_rows": policy_rows.clock_rows(policy),
            "can_manage": can(request.user, Capability.MANAGE),
        },
    )


@require_POST
@capability_required(Capability.MANAGE)
def policy_install(request, code: str):
    preset = presets.PRESETS.get(code)
    if preset is None:
        raise Http404
    values: dict[str, float | None] = {}
    for parameter in preset.parameters:
        raw = request.POST.get(parameter.name, "").strip()
        try:
            values[parameter.name] = float(raw) if raw else None
        except ValueError:
            messages.error(
                request,
                _("The parameter “%(name)s” should be a number") % {"name": parameter.label},
            )
            return redirect("sla:policy-list")
    try:
        services.policy_install_preset(actor=request.user, code=code, parameters=values)
    except DomainError as exc:
        return refused_then(request, exc, redirect("sla:policy-list"))
    messages.success(request, _("Policy %(code)s is in use") % {"code": code})
    return redirect("sla:policy-detail", code=code)


@require_POST
@capability_required(Capability.MANAGE)
def policy_make_default(request, code: str):
    stored = selectors.policy_get(code=code)
    if stored is None:
        raise Http404
    services.policy_set_default(actor=request.user, policy=stored)
    messages.success(request, _("New tickets will use policy %(code)s by default") % {"code": code})
    return redirect("sla:policy-detail", code=code)


@capability_required(Capability.MANAGE)
def policy_edit(request, code: str):
    stored = selectors.policy_get(code=code)
    latest = selectors.policy_latest_version(stored) if stored else None
    if stored is None or latest is None:
        raise Http404
    form = PolicyEditForm(request.POST or None, policy=latest.as_policy())
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_version_create(
                actor=request.user,
                policy=stored,
                data=form.to_data(),
                note=form.cleaned_data["note"],
                based_on=int(request.POST.get("based_on", latest.number)),
            )
        except forms.ValidationError as exc:
            form.add_error(None, exc)
        except DomainError as exc:
            refused_in_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Saved as version %(number)s; tickets already on an older version are "
                    "not affected"
                )
                % {"number": version.number},
            )
            return redirect("sla:policy-detail", code=code)
    return render(
        request,
        "sla/policy_edit.html",
        {
            "form": form,
            "stored": stored,
            "latest": latest,
        },
        status=400 if form.errors else 200,
    )


# --- calculator ----------------------------------------------------------------------


def calculator_policy(code: str) -> policies.Policy | None:
    stored = selectors.policy_get(code=code)
    if stored is not None:
        latest = selectors.policy_latest_version(stored)
        return latest.as_policy() if latest else None
    return presets.PRESETS.get(code)


def _policy_choices() -> list[tuple[str, str]]:
    installed = selectors.policy_list()
    codes = {p.code for p in installed}
    return [(p.code, f"{p.code} {p.name}") for p in installed] + [
        (code, _("%(code)s %(name)s (preset)") % {"code": code, "name": p.name})
        for code, p in presets.PRESETS.items()
        if code not in codes
    ]


@capability_required(Capability.VIEW_POLICIES)
def calculator(request):
    form = CalculatorForm(request.GET or None, policy_choices=_policy_choices())
    result: Any = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        start = data["start"]
        cal = selectors.work_calendar()
        try:
            if data.get("policy"):
                policy = calculator_policy(data["policy"])
                if policy is None:
                    raise DomainError(_("No such policy"))
                result = compute.ticket_deadlines(
                    cal,
                    policy,
                    kind=Kind(data["kind"] or "consult"),
                    mode=Mode(data["mode"] or "written"),
                    urgency=Urgency(data["urgency"] or "normal"),
                    start=start,
                    catalog_days=data.get("catalog_days"),
                )
            else:
                period = Period(PeriodUnit(data["unit"] or "working_days"), data["amount"])
                result = {"reply": compute.period_deadline(cal, start, period)}
        except (DomainError, policies.PolicyError, ValueError) as exc:
            form.add_error(None, getattr(exc, "message", str(exc)))
    template = "sla/_calculator_result.html" if request.htmx else "sla/calculator.html"
    return render(
        request, template, {"form": form, "result": result}, status=400 if form.errors else 200
    )
