"""The workbench side of issue 12's inputs: the unit's contact record, exclusion and
carry-over requests (the inbox panel below), their review (buttons of the dispatch page)
and failed return visits (a button of the visits page). Each button is declared here once
and run by `handle_post` (decision 0023)."""

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

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability
from hotline.core import clock
from hotline.tickets import followup as windows
from hotline.tickets.models import Assignment, Contact, Ticket, UnitRequest, Visit
from hotline.tickets.services import followup as sf
from hotline.workbench import queues
from hotline.workbench.forms import NoteForm, textarea
from hotline.workbench.views.buttons import Button, approving, buttons, handle_post, pk_of

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
        label=gettext_lazy("What was said"), required=False, max_length=2000, widget=textarea(2)
    )


class ExclusionForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Reason category"), choices=UnitRequest.Category.choices
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=textarea(2))


class CarryOverForm(forms.Form):
    plan = forms.CharField(
        label=gettext_lazy("Plan and measures"), max_length=2000, widget=textarea(3)
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


def _contact_record(user, assignment: Assignment, data: dict, _post) -> None:
    at = data["at"]
    sf.contact_record(
        user=user,
        assignment=assignment,
        at=timezone.make_aware(at) if timezone.is_naive(at) else at,
        channel=data["channel"],
        result=data["result"],
        note=data["note"],
    )


def _unit_form(key: str):
    return lambda _a, request: UNIT_FORMS[key](request.POST, prefix=f"fu-{key}")


UNIT_BUTTONS = buttons(
    Button(
        "contact",
        form=_unit_form("contact"),
        service=_contact_record,
        done=lambda a, _data, _result: (
            _("Contact with the citizen on ticket %(number)s recorded.")
            % {"number": a.ticket.number}
        ),
    ),
    Button(
        "exclusion",
        form=_unit_form("exclusion"),
        service=lambda user, a, data, _post: sf.exclusion_request(
            actor=user, assignment=a, category=data["category"], reason=data["reason"]
        ),
        done=lambda a, _data, _result: (
            _("Exclusion of ticket %(number)s asked for; the hotline decides.")
            % {"number": a.ticket.number}
        ),
    ),
    Button(
        "carry_over",
        form=_unit_form("carry_over"),
        service=lambda user, a, data, _post: sf.carry_over_request(
            actor=user, assignment=a, plan=data["plan"], promised_date=data["promised_date"]
        ),
        done=lambda a, _data, _result: (
            _("Carry-over of ticket %(number)s asked for; the hotline decides.")
            % {"number": a.ticket.number}
        ),
    ),
)


@capability_required(Capability.HANDLE)
def unit_followup(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the follow-up part of the inbox panel; POST: record a contact or ask for an
    exclusion or a carry-over, then show the part again (errors kept with the input)."""
    user: Any = request.user
    assignment = queues.inbox_base(user).select_related("ticket", "unit").filter(pk=pk).first()
    if assignment is None:
        raise Http404
    bound: dict = {}
    done = handle_post(request, UNIT_BUTTONS, bound, find=lambda _request: assignment)
    if isinstance(done, HttpResponse):  # the panel shows itself again on a refusal
        if not getattr(request, "htmx", False):
            return redirect(f"{reverse('section-inbox')}?a={assignment.pk}")
        bound = {}
        assignment.refresh_from_db()
    context = unit_context(user, assignment, bound)
    return render(request, "workbench/_unit_followup.html", context)


# --- the dispatcher decides (buttons of the dispatch page) -------------------------------


def unit_request_of(kind: str):
    """The pending request of `kind` the POST names, among those the user may review."""

    def find(request: HttpRequest) -> UnitRequest | None:
        wanted = pk_of(request.POST.get("request"))
        return queues.visible_requests(request.user, kind).filter(pk=wanted).first()

    return find


DECIDED = {
    ("exclusion", True): gettext_lazy("Exclusion of ticket %(number)s approved."),
    ("exclusion", False): gettext_lazy("Exclusion of ticket %(number)s refused."),
    ("carry_over", True): gettext_lazy("Carry-over of ticket %(number)s approved."),
    ("carry_over", False): gettext_lazy("Carry-over of ticket %(number)s refused."),
}


def _decision(kind: str, decide) -> Button:
    """The dispatcher approves or refuses an exclusion or carry-over (a refusal needs a
    reason, which the service checks)."""

    def service(user, r: UnitRequest, data: dict, post) -> bool:
        approve = approving(post)
        decide(actor=user, request=r, approve=approve, note=data["note"])
        return approve

    return Button(
        kind,
        find=unit_request_of(kind),
        form=lambda r, request: NoteForm(request.POST, prefix=f"r{r.pk}"),
        bound_as=lambda r: (kind, r.pk),
        service=service,
        done=lambda r, _data, approve: (
            str(DECIDED[(kind, approve)]) % {"number": r.assignment.ticket.number}
        ),
    )


DECISION_BUTTONS = (
    _decision("exclusion", sf.exclusion_decide),
    _decision("carry_over", sf.carry_over_decide),
)


# --- a failed return visit (a button of the visits page) ---------------------------------


def _visit_failed(ticket: Ticket, _data, visit: Visit) -> list[tuple[int, str]]:
    if visit.gave_up:
        told = _(
            "Visit of ticket %(number)s failed %(n)s times: counted as not visited and "
            "taken off the call list."
        ) % {"number": ticket.number, "n": visit.attempt}
        return [(messages.WARNING, told)]
    ticket.refresh_from_db()
    told = _("Visit attempt %(n)s of ticket %(number)s failed; call again after %(at)s.") % {
        "n": visit.attempt,
        "number": ticket.number,
        "at": timezone.localtime(ticket.visit_retry_at).strftime("%m-%d %H:%M"),
    }
    return [(messages.SUCCESS, told)]


def _after_visit_failed(_request: HttpRequest, ticket: Ticket, visit: Visit) -> HttpResponse:
    if visit.gave_up:
        return redirect(f"{reverse('section-visits')}")
    return redirect(f"{reverse('section-visits')}?ticket={ticket.number}")


VISIT_FAIL = Button(
    "visit_fail",
    form=lambda _t, request: VisitFailForm(request.POST, prefix="fail"),
    invalid=gettext_lazy("Choose why the visit failed."),
    service=lambda user, ticket, data, _post: sf.visit_fail(
        actor=user, ticket=ticket, outcome=data["outcome"], note=data["note"]
    ),
    done=_visit_failed,
    then=_after_visit_failed,
)
