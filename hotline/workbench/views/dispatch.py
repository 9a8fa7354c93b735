"""派单 dispatch: the dispatcher's queues with counts, the selected ticket's dispatch form
beside the list, and the review of send-backs, extensions, completions, exclusions and
carry-overs; each button declared below (decision 0023)."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.decorators import capability_required
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import Capability
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.directory import selectors as directory
from hotline.intelligence.selectors import suggest_units
from hotline.sla.calendar import WorkCalendar
from hotline.sla.selectors import work_calendar
from hotline.tickets import deadlines
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Ticket, UnitRequest
from hotline.tickets.selectors import citizen_for
from hotline.tickets.states import Status
from hotline.workbench import forms as f
from hotline.workbench import queues
from hotline.workbench.paging import capped_counts
from hotline.workbench.views.buttons import (
    Button,
    approving,
    buttons,
    handle_post,
    local,
    page_of,
    show_page,
    tab_of,
)
from hotline.workbench.views.followup import DECISION_BUTTONS, unit_request_of
from hotline.workbench.views.intake import find_ticket

DISPATCH_TABS = [
    ("pending", gettext_lazy("Pending dispatch")),
    ("send_back", gettext_lazy("Send-back review")),
    ("extension", gettext_lazy("Extension review")),
    ("completion", gettext_lazy("Completion review")),
    ("exclusion", gettext_lazy("Exclusion review")),
    ("carry_over", gettext_lazy("Carry-over review")),
]

URGENCY_FIELD = {  # the request tabs: their rows are UnitRequests, not tickets
    "send_back": "urgency",
    "extension": "urgency",
    "exclusion": "urgency",
    "carry_over": "urgency",
}


def _ticket(request: HttpRequest) -> Ticket | None:
    return (
        Ticket.objects.visible_to(request.user)
        .filter(number=request.POST.get("ticket", ""))
        .first()
    )


def _dispatch(user, ticket: Ticket, data: dict, _post) -> None:
    s.ticket_dispatch(
        actor=user,
        ticket=ticket,
        lead=data["lead"],
        assists=list(data["assists"]),
        mode=data["mode"],
        catalog_days=data["catalog_days"],
        instruction=data["instruction"],
        instruction_days=data["instruction_days"],
        coordinated=data["coordinated"],
    )


def _dispatched(ticket: Ticket, data: dict, _result) -> str:
    lead = ticket.assignments.get(active=True, role=Assignment.Role.LEAD)
    done = _("Ticket %(number)s dispatched to %(unit)s; reply due %(due)s.") % {
        "number": ticket.number,
        "unit": lead.unit.name,
        "due": local(lead.reply_due),
    }
    event = ticket.events.filter(kind="dispatched").last()
    days = data["catalog_days"]
    if event and days and event.data.get("deadline_from") == "rule":
        done += " " + _(
            "The deadline comes from the policy rule “%(rule)s”, "
            "not from the catalog item's %(days)s working days."
        ) % {"rule": event.data.get("rule", ""), "days": days}
    return done


def _merge(user, ticket: Ticket, data: dict, _post) -> tuple[Ticket, Ticket]:
    into = find_ticket(user, data["into"])
    if into is None:
        raise DomainError(_("Enter the number of the ticket to merge into."))
    return into, s.ticket_merge(actor=user, ticket=ticket, into=into, reason=data["reason"])


def _merged(ticket: Ticket, _data, result: tuple[Ticket, Ticket]) -> str:
    into, done = result
    if done.status == Status.DECLINED:
        return _(
            "Ticket %(into)s is closed: ticket %(number)s is kept as a repeat "
            "of it; tell the caller its result."
        ) % {"number": ticket.number, "into": into.number}
    return _("Ticket %(number)s merged into %(into)s.") % {
        "number": ticket.number,
        "into": into.number,
    }


def _completion_decide(user, ticket: Ticket, data: dict, post) -> bool:
    approve = approving(post)
    s.completion_decide(actor=user, ticket=ticket, approve=approve, note=data["note"])
    return approve


def _completion_decided(ticket: Ticket, _data, approve: bool) -> str:
    if approve:
        return _("Completion of ticket %(number)s approved.") % {"number": ticket.number}
    return _("Completion of ticket %(number)s refused; back to the unit.") % {
        "number": ticket.number
    }


def _send_back_decide(user, r: UnitRequest, data: dict, post) -> bool:
    approve = approving(post)
    s.send_back_decide(actor=user, request=r, approve=approve, note=data["note"])
    return approve


def _send_back_decided(r: UnitRequest, _data, approve: bool) -> str:
    number = r.assignment.ticket.number
    if approve:
        return _("Send-back of ticket %(number)s approved: it waits for dispatch.") % {
            "number": number
        }
    return _("Send-back of ticket %(number)s refused: the unit goes on.") % {"number": number}


def _extension_decide(user, r: UnitRequest, data: dict, post) -> tuple[bool, UnitRequest]:
    approve = approving(post)
    decided = s.extension_decide(
        actor=user, request=r, approve=approve, note=data["note"], days=data["days"]
    )
    return approve, decided


def _extension_decided(r: UnitRequest, _data, result: tuple[bool, UnitRequest]) -> str:
    approve, decided = result
    number = r.assignment.ticket.number
    if approve:
        return _("Extension of ticket %(number)s approved: %(days)s working days.") % {
            "number": number,
            "days": decided.days,
        }
    return _("Extension of ticket %(number)s refused.") % {"number": number}


def _note_form(letter: str):
    return lambda row, request: f.NoteForm(request.POST, prefix=f"{letter}{row.pk}")


BUTTONS = buttons(
    Button(
        "dispatch",
        find=_ticket,
        form=lambda _t, request: f.DispatchForm(request.POST),
        service=_dispatch,
        done=_dispatched,
        drop=("ticket",),
    ),
    Button(
        "merge",
        find=_ticket,
        form=lambda _t, request: f.MergeForm(request.POST, prefix="merge"),
        service=_merge,
        done=_merged,
        drop=("ticket",),
    ),
    Button(
        "completion",
        find=_ticket,
        form=_note_form("t"),
        bound_as=lambda t: ("completion", t.pk),
        service=_completion_decide,
        done=_completion_decided,
        drop=("ticket",),
    ),
    Button(
        "send_back",
        find=unit_request_of("send_back"),
        form=_note_form("r"),
        bound_as=lambda r: ("send_back", r.pk),
        service=_send_back_decide,
        done=_send_back_decided,
    ),
    Button(
        "extension",
        find=unit_request_of("extension"),
        form=lambda r, request: f.ExtensionDecisionForm(request.POST, prefix=f"r{r.pk}"),
        bound_as=lambda r: ("extension", r.pk),
        service=_extension_decide,
        done=_extension_decided,
    ),
    *DECISION_BUTTONS,
)


def _clocks(version_ids) -> dict[int, Any]:
    """The clock rules of the policy versions on one page of a queue, read once."""
    from hotline.sla.models import PolicyVersion

    versions = PolicyVersion.objects.filter(pk__in=set(version_ids))
    return {v.pk: v.as_policy().clock for v in versions}


@capability_required(Capability.DISPATCH)
def dispatch(request: HttpRequest) -> HttpResponse:
    """派单 queues with counts; the selected ticket's dispatch form beside the list."""
    bound: dict = {}
    status = handle_post(request, BUTTONS, bound)
    if isinstance(status, HttpResponse):
        return status
    tabs = list(DISPATCH_TABS)
    tab = tab_of(request, tabs)
    all_queues = queues.dispatch_queues(request.user)
    urgency = request.GET.get("urgency", "")
    field = URGENCY_FIELD.get(tab, "urgency")
    page = page_of(request, queues.by_urgency(all_queues[tab], urgency, field))
    counts = capped_counts({key: all_queues[key] for key, _label in tabs})
    rows: list[dict] = []
    on = directory.today()
    catalog = list(directory.catalog_in_force(on=on)) if tab == "pending" else []
    now = clock.now()
    tickets_on_page = [obj.assignment.ticket if tab in URGENCY_FIELD else obj for obj in page]
    clocks = _clocks(t.policy_version_id for t in tickets_on_page)
    calendar = work_calendar()
    if tab == "extension":  # each row's preview: the part's requests, pauses and rule
        prefetch_related_objects(
            page.object_list,
            "assignment__requests",
            "assignment__pauses",
            "assignment__ticket__policy_version",
        )
    for obj, t in zip(page, tickets_on_page, strict=True):
        row: dict[str, Any] = {"obj": obj}
        review = clocks[t.policy_version_id].review_hours
        if tab == "pending":
            limit = clocks[t.policy_version_id].dispatch_limit_hours(t.urgency)
            row["age"] = queues.age(obj.received_at, now=now, limit_hours=limit)
        elif tab in URGENCY_FIELD:
            row["age"] = queues.age(obj.requested_at, now=now, limit_hours=review)
        if tab == "pending":
            row["suggestions"] = directory.catalog_suggest(
                text=f"{obj.summary} {obj.detail}", on=on, limit=2, items=catalog
            )
        elif tab == "completion":
            lead = obj.lead
            row["lead"] = lead
            row["reply"] = lead.approved_reply() if lead else None
            approved = row["reply"].approved_at if row["reply"] else None
            row["age"] = queues.age(approved, now=now, limit_hours=review)
            row["form"] = bound.get(("completion", obj.pk)) or f.NoteForm(prefix=f"t{obj.pk}")
        elif tab == "extension":
            row["form"] = bound.get((tab, obj.pk)) or f.ExtensionDecisionForm(
                prefix=f"r{obj.pk}", initial={"days": obj.days}
            )
            row.update(_extension_preview(obj, calendar))
        else:
            row["form"] = bound.get((tab, obj.pk)) or f.NoteForm(prefix=f"r{obj.pk}")
        rows.append(row)
    context: dict[str, Any] = {
        "section": SECTION_BY_KEY["dispatch"],
        "dispatch_units": f.receiving_units().select_related("parent"),
        "tabs": [(key, label, counts[key]) for key, label in tabs],
        "tab": tab,
        "page": page,
        "rows": rows,
    }
    number = request.GET.get("ticket", "")
    if request.POST.get("action") in ("dispatch", "merge"):
        number = request.POST.get("ticket", "")  # show the refused form again
    if tab == "pending" and number:
        ticket = all_queues["pending"].filter(number=number).first()
        if ticket is not None:
            suggestions = directory.catalog_suggest(
                text=f"{ticket.summary} {ticket.detail}", on=on, items=catalog
            )
            initial: dict[str, Any] = {}
            top = next((x for x in suggestions if x.item.unit.may_lead), None)
            if top is not None:
                initial = {"lead": top.item.unit_id, "catalog_days": top.item.deadline_days}
            context.update(
                ticket=ticket,
                citizen=citizen_for(request.user, ticket),
                suggestions=suggestions,
                units=suggest_units(
                    text=f"{ticket.summary} {ticket.detail}",
                    on=on,
                    topic=ticket.topic_id,
                    region=ticket.region_id,
                    address=ticket.address,
                    limit=3,
                ),
                form=bound.get("dispatch") or f.DispatchForm(initial=initial),
                merge_form=bound.get("merge") or f.MergeForm(prefix="merge"),
            )
    return show_page(
        request, "workbench/dispatch.html", "workbench/_dispatch_workspace.html", context, status
    )


def _extension_preview(request: UnitRequest, calendar: WorkCalendar) -> dict[str, Any]:
    """What the reviewer sees before approving (R-UN-3): the new reply deadline if the
    days asked are granted, and the rule's limits."""
    a = request.assignment
    limits = deadlines.extension_limits(a.ticket, a)
    try:
        new_due = deadlines.due_after_extension(a.ticket, a, request.days or 0, calendar)
    except ValueError:
        new_due = None
    return {"new_due": new_due, "limits": limits, "refusal": limits.refusal(request.days or 0)}
