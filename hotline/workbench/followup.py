"""The workbench side of issue 12's inputs: the unit's contact record, exclusion and
carry-over requests (in the inbox), their review (in the dispatcher's queues) and failed
return visits (in the visits workspace). Views stay thin: forms, then one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.permissions import Capability
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.views import capability_required
from hotline.tickets import followup as windows
from hotline.tickets.models import Assignment, Contact, Ticket, UnitRequest, Visit
from hotline.tickets.services import followup as sf
from hotline.workbench import queues
from hotline.workbench.forms import NoteForm, _text

FAILURES = [(value, label) for value, label in Visit.Outcome.choices if value != "done"]


class ContactForm(forms.Form):
    """R-UN-4: when and how the unit reached (or tried to reach) the citizen."""

    at = forms.DateTimeField(
        label=gettext_lazy("Contacted at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=Contact.Channel.choices,
        initial=Contact.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=Contact.Result.choices,
        initial=Contact.Result.REACHED,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("What was said"), required=False, max_length=2000, widget=_text(2)
    )


class ExclusionForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Reason category"), choices=UnitRequest.Category.choices
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=_text(2))


class CarryOverForm(forms.Form):
    plan = forms.CharField(
        label=gettext_lazy("Plan and measures"), max_length=2000, widget=_text(3)
    )
    promised_date = forms.DateField(
        label=gettext_lazy("Promised completion date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class VisitFailForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Why the visit failed"), choices=FAILURES, widget=forms.RadioSelect
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


UNIT_FORMS = {"contact": ContactForm, "exclusion": ExclusionForm, "carry_over": CarryOverForm}


def unit_context(user, assignment: Assignment, bound: dict | None = None) -> dict[str, Any]:
    """What the inbox panel's follow-up part shows (also used by its template tag)."""
    bound = bound or {}
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0, tzinfo=None)
    forms_ = {
        key: bound.get(key)
        or cls(prefix=f"fu-{key}", initial={"at": now} if key == "contact" else None)
        for key, cls in UNIT_FORMS.items()
    }
    return {
        "a": assignment,
        "contacts": list(assignment.contacts.select_related("by").order_by("at", "id")),
        "responded": windows.assignment_responded(assignment),
        "requests": list(
            assignment.requests.filter(
                kind__in=[UnitRequest.Kind.EXCLUSION, UnitRequest.Kind.CARRY_OVER]
            ).order_by("requested_at", "id")
        ),
        "fu_forms": forms_,
        "fu_open": next(iter(bound), ""),
    }


@capability_required(Capability.HANDLE)
def unit_followup(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the follow-up part of the inbox panel; POST: record a contact or ask for an
    exclusion or a carry-over, then show the part again (errors kept with the input)."""
    user: Any = request.user
    assignment = queues.inbox_base(user).select_related("ticket", "unit").filter(pk=pk).first()
    if assignment is None:
        raise Http404
    bound: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in UNIT_FORMS:
            raise Http404
        form = bound[action] = UNIT_FORMS[action](request.POST, prefix=f"fu-{action}")
        if not form.is_valid():
            messages.error(request, _("Please correct the marked fields."))
        else:
            try:
                text = _unit_write(user, assignment, action, form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, text)
                bound = {}
                assignment.refresh_from_db()
                if not getattr(request, "htmx", False):
                    return redirect(f"{reverse('section-inbox')}?a={assignment.pk}")
    context = unit_context(user, assignment, bound)
    return render(request, "workbench/_unit_followup.html", context)


def _unit_write(user, assignment: Assignment, action: str, data: dict) -> str:
    number = assignment.ticket.number
    if action == "contact":
        sf.contact_record(
            user=user,
            assignment=assignment,
            at=timezone.make_aware(data["at"]) if timezone.is_naive(data["at"]) else data["at"],
            channel=data["channel"],
            result=data["result"],
            note=data["note"],
        )
        return _("Contact with the citizen on ticket %(number)s recorded.") % {"number": number}
    if action == "exclusion":
        sf.exclusion_request(
            actor=user, assignment=assignment, category=data["category"], reason=data["reason"]
        )
        return _("Exclusion of ticket %(number)s asked for; the hotline decides.") % {
            "number": number
        }
    sf.carry_over_request(
        actor=user, assignment=assignment, plan=data["plan"], promised_date=data["promised_date"]
    )
    return _("Carry-over of ticket %(number)s asked for; the hotline decides.") % {"number": number}


def request_decide(request: HttpRequest, action: str, bound: dict) -> HttpResponse | int:
    """The dispatcher approves or refuses an exclusion or carry-over (a refusal needs a
    reason); called from the dispatch page's POST like the other review queues."""
    user: Any = request.user
    pk = request.POST.get("request", "")
    unit_request = (
        queues.visible_requests(user, action).filter(pk=int(pk) if pk.isdigit() else 0).first()
    )
    if unit_request is None:
        raise Http404
    form = bound[(action, unit_request.pk)] = NoteForm(request.POST, prefix=f"r{unit_request.pk}")
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    decide = sf.exclusion_decide if action == "exclusion" else sf.carry_over_decide
    try:
        decide(actor=user, request=unit_request, approve=approve, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return exc.status
    number = unit_request.assignment.ticket.number
    done = {
        ("exclusion", True): _("Exclusion of ticket %(number)s approved."),
        ("exclusion", False): _("Exclusion of ticket %(number)s refused."),
        ("carry_over", True): _("Carry-over of ticket %(number)s approved."),
        ("carry_over", False): _("Carry-over of ticket %(number)s refused."),
    }[(action, approve)]
    messages.success(request, done % {"number": number})
    return redirect(request.get_full_path())


def visit_fail_post(request: HttpRequest, ticket: Ticket, bound: dict) -> HttpResponse | int:
    """A failed visit call from the visits workspace (R-FB-2)."""
    form = bound["visit_fail"] = VisitFailForm(request.POST, prefix="fail")
    if not form.is_valid():
        messages.error(request, _("Choose why the visit failed."))
        return 400
    try:
        visit = sf.visit_fail(
            actor=request.user,
            ticket=ticket,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return exc.status
    if visit.gave_up:
        messages.warning(
            request,
            _(
                "Visit of ticket %(number)s failed %(n)s times: counted as not visited and "
                "taken off the call list."
            )
            % {"number": ticket.number, "n": visit.attempt},
        )
        return redirect(f"{reverse('section-visits')}")
    ticket.refresh_from_db()
    messages.success(
        request,
        _("Visit attempt %(n)s of ticket %(number)s failed; call again after %(at)s.")
        % {
            "n": visit.attempt,
            "number": ticket.number,
            "at": timezone.localtime(ticket.visit_retry_at).strftime("%m-%d %H:%M"),
        },
    )
    return redirect(f"{reverse('section-visits')}?ticket={ticket.number}")
