"""The pages operators, dispatchers, units and return visitors work in all day.

Thin views (design rule 1): each button calls one service from hotline.tickets.services;
a refused action (DomainError) becomes an error message, the page comes back with the
user's input and status 400/409; a success redirects (post/redirect/get) with a message.
Every list starts from `Ticket.objects.visible_to(user)` and is paginated on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hotline.accounts.permissions import Capability, can
from hotline.core import clock
from hotline.core.access import access
from hotline.core.dates import local_moment
from hotline.core.errors import DomainError
from hotline.core.navigation import SECTION_BY_KEY
from hotline.core.views import capability_required
from hotline.directory import selectors as directory
from hotline.intelligence.selectors import similar_tickets, suggest_units, topic_choices
from hotline.knowledge.services import entry_use_record
from hotline.sla.selectors import work_calendar
from hotline.tickets import deadlines
from hotline.tickets import services as s
from hotline.tickets.models import (
    DECLINE_GUIDANCE,
    AbuseRecord,
    Assignment,
    Handling,
    Reply,
    Ticket,
    UnitRequest,
    Visit,
)
from hotline.tickets.selectors import abuse_summary, citizen_for, citizen_history
from hotline.tickets.states import OPEN, Status
from hotline.workbench import followup, queues
from hotline.workbench import forms as f
from hotline.workbench.paging import CappedPaginator, capped_counts

PAGE_SIZE = 20


# --- helpers -----------------------------------------------------------------------------


def _page(request: HttpRequest, queryset) -> Any:
    return CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _refused(request: HttpRequest, exc: DomainError) -> int:
    messages.error(request, exc.message)
    return exc.status


def _invalid(request: HttpRequest) -> int:
    messages.error(request, _("Please correct the marked fields."))
    return 400


def _here(request: HttpRequest, *drop: str) -> str:
    """This page's URL with some query parameters dropped."""
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _pk(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _tab(request: HttpRequest, tabs: list[tuple[str, Any]]) -> str:
    keys = [key for key, _label in tabs]
    wanted = request.GET.get("tab", "")
    return wanted if wanted in keys else keys[0]


def _show(request: HttpRequest, template: str, partial: str, context: dict, status: int):
    """The whole page, or only its workspace for an htmx tab or row switch."""
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


def _attempt(request: HttpRequest, call: Callable[[], str]) -> int | None:
    """Run the service; on success queue its message and return None, else the status."""
    try:
        message = call()
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, message)
    return None


def _clocks(version_ids) -> dict[int, Any]:
    """The clock rules of the policy versions on one page of a queue, read once."""
    from hotline.sla.models import PolicyVersion

    versions = PolicyVersion.objects.filter(pk__in=set(version_ids))
    return {v.pk: v.as_policy().clock for v in versions}


URGENCY_FIELD = {  # the request tabs: their rows are UnitRequests, not tickets
    "send_back": "urgency",
    "extension": "urgency",
    "exclusion": "urgency",
    "carry_over": "urgency",
}


# --- 受理 intake ----------------------------------------------------------------------------


def _find_ticket(user, number: str) -> Ticket | None:
    number = number.strip()
    if not number:
        return None
    ticket = Ticket.objects.visible_to(user).filter(number=number).first()
    if ticket is None:
        raise DomainError(_("No ticket with number %(number)s.") % {"number": number})
    return ticket


def _intake_save(user, data: dict) -> Ticket:
    handling = data["handling"]
    related = _find_ticket(user, data["related_to"])
    version = data.get("knowledge_version")
    if version and handling in (Handling.ANSWER_NOW, Handling.GUIDE):
        with transaction.atomic():  # the ticket and its knowledge link, or neither
            ticket = _intake_create(user, data, handling, related)
            entry_use_record(actor=user, ticket=ticket, version_id=version)
        return ticket
    return _intake_create(user, data, handling, related)


def _intake_create(user, data: dict, handling: str, related) -> Ticket:
    return s.ticket_create(
        actor=user,
        phone=data["phone"],
        name=data["name"],
        channel=data["channel"],
        kind=data["kind"],
        summary=data["summary"],
        detail=data["detail"],
        address=data["address"],
        topic=data.get("topic"),
        urgency=data["urgency"],
        confidential=data["confidential"],
        handling=handling,
        answer=data["answer"] if handling in (Handling.ANSWER_NOW, Handling.GUIDE) else "",
        forward_to=data["forward_to"] if handling == Handling.FORWARD else None,
        decline_reason=data["decline_reason"] if handling == Handling.DECLINE else "",
        related_to=related,
    )


@capability_required(Capability.INTAKE)
def intake(request: HttpRequest) -> HttpResponse:
    """One form for one call (R-IN, R-HM-1 to R-HM-5); a fresh form after each save."""
    status = 200
    if request.method == "POST":
        form = f.IntakeForm(request.POST)
        if form.is_valid():
            try:
                ticket = _intake_save(request.user, form.cleaned_data)
            except DomainError as exc:
                status = _refused(request, exc)
            else:
                told = _("Ticket %(number)s saved: %(outcome)s.") % {
                    "number": ticket.number,
                    "outcome": ticket.get_handling_display(),
                }
                if ticket.handling == Handling.DISPATCH:
                    expected = deadlines.expected_reply_due(ticket)
                    told += " " + (
                        _("Tell the caller: a reply is expected by %(due)s.")
                        % {"due": local_moment(expected)}
                        if expected
                        else _("Tell the caller: the deadline is set by the dispatch catalog.")
                    )
                messages.success(request, told)
                request.session["intake_saved"] = ticket.number  # the page clears its draft
                return redirect("section-intake")
        else:
            status = _invalid(request)
    else:
        form = f.IntakeForm()
    saved = bool(request.session.pop("intake_saved", None)) if request.method == "GET" else False
    query = request.GET.get("q", "").strip()
    context = {
        "section": SECTION_BY_KEY["intake"],
        "form": form,
        "guidance": list(DECLINE_GUIDANCE.items()),
        "clear_draft": saved,
        "query": query,
        "units": directory.unit_search(query=query) if query else [],
    }
    return render(request, "workbench/intake.html", context, status=status)


@require_GET
@capability_required(Capability.INTAKE)
def intake_history(request: HttpRequest) -> HttpResponse:
    """The caller's earlier tickets and abuse records while they are on the line (htmx)."""
    phone = request.GET.get("phone", "").strip()
    context: dict[str, Any] = {"phone": phone, "ready": len(phone) >= 5}
    if context["ready"]:
        tickets = citizen_history(user=request.user, phone=phone, limit=10)
        abuse = abuse_summary(phone=phone)
        context.update(
            tickets=tickets,
            open_count=sum(1 for t in tickets if t.status in OPEN),
            abuse=[(AbuseRecord.Kind(kind).label, n) for kind, n in abuse.items()],
            abuse_total=sum(abuse.values()),
            name=next((t.citizen.name for t in tickets if t.citizen.name), ""),
            open_statuses=OPEN,
        )
    return render(request, "workbench/_caller_history.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.INTAKE, Capability.DISPATCH)
def catalog_suggestions(request: HttpRequest) -> HttpResponse:
    """Catalog items from the words of the request, as the operator types (R-HM-9).
    POST from the intake page: a long detail does not fit in a URL (414, issue 14 item 7)."""
    params = request.POST if request.method == "POST" else request.GET
    text = " ".join(params.get(k, "") for k in ("summary", "detail")).strip()
    on = directory.today()
    suggestions = directory.catalog_suggest(text=text, on=on) if text else []
    # The topic classifier helps when a model is trained; without one the list is empty.
    topics = topic_choices(text) if text else []
    # Units that handled similar requests in the end (after any send-back), with the catalog.
    address = params.get("address", "").strip()
    units = suggest_units(text=text, on=on, address=address, limit=3) if text else []
    return render(
        request,
        "workbench/_suggestions.html",
        {"suggestions": suggestions, "text": text, "topics": topics, "units": units},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.INTAKE, Capability.DISPATCH)
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """Possible duplicates of the request being typed, or of the ticket `ticket` on the
    dispatch page, among recent tickets the user may see (并单 merge, R-IN-4) (htmx)."""
    number = request.GET.get("ticket", "").strip()
    ticket = (
        Ticket.objects.visible_to(request.user).filter(number=number).first() if number else None
    )
    if ticket is not None:
        text, area = f"{ticket.summary} {ticket.detail}", ticket.region_id
    else:
        params = request.POST if request.method == "POST" else request.GET
        text, area = " ".join(params.get(k, "") for k in ("summary", "detail")).strip(), None
    found = similar_tickets(text, area=area, user=request.user, exclude=ticket) if text else []
    context = {
        "found": found,
        "text": text,
        "ticket": ticket,
        "open_statuses": OPEN,
        "merge": ticket is not None and can(request.user, Capability.DISPATCH),
    }
    return render(request, "workbench/_duplicates.html", context)


# --- 派单 dispatch --------------------------------------------------------------------------

DISPATCH_TABS = [
    ("pending", gettext_lazy("Pending dispatch")),
    ("send_back", gettext_lazy("Send-back review")),
    ("extension", gettext_lazy("Extension review")),
    ("completion", gettext_lazy("Completion review")),
    ("exclusion", gettext_lazy("Exclusion review")),
    ("carry_over", gettext_lazy("Carry-over review")),
]


def _dispatch_post(request: HttpRequest, bound: dict) -> HttpResponse | int:
    user: Any = request.user
    post = request.POST
    action = post.get("action", "")
    visible = Ticket.objects.visible_to(user)
    if action in ("dispatch", "merge", "completion"):
        ticket = visible.filter(number=post.get("ticket", "")).first()
        if ticket is None:
            raise Http404
        if action == "dispatch":
            form: Form = f.DispatchForm(post)
            bound["dispatch"] = form
            if not form.is_valid():
                return _invalid(request)
            data = form.cleaned_data

            def run() -> str:
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
                lead = ticket.assignments.get(active=True, role=Assignment.Role.LEAD)
                done = _("Ticket %(number)s dispatched to %(unit)s; reply due %(due)s.") % {
                    "number": ticket.number,
                    "unit": lead.unit.name,
                    "due": local_moment(lead.reply_due),
                }
                event = ticket.events.filter(kind="dispatched").last()
                days = data["catalog_days"]
                if event and days and event.data.get("deadline_from") == "rule":
                    done += " " + _(
                        "The deadline comes from the policy rule “%(rule)s”, "
                        "not from the catalog item's %(days)s working days."
                    ) % {"rule": event.data.get("rule", ""), "days": days}
                return done

        elif action == "merge":
            form = bound["merge"] = f.MergeForm(post, prefix="merge")
            if not form.is_valid():
                return _invalid(request)

            def run() -> str:
                into = _find_ticket(user, form.cleaned_data["into"])
                if into is None:
                    raise DomainError(_("Enter the number of the ticket to merge into."))
                done = s.ticket_merge(
                    actor=user, ticket=ticket, into=into, reason=form.cleaned_data["reason"]
                )
                if done.status == Status.DECLINED:
                    return _(
                        "Ticket %(into)s is closed: ticket %(number)s is kept as a repeat "
                        "of it; tell the caller its result."
                    ) % {"number": ticket.number, "into": into.number}
                return _("Ticket %(number)s merged into %(into)s.") % {
                    "number": ticket.number,
                    "into": into.number,
                }

        else:
            form = bound[("completion", ticket.pk)] = f.NoteForm(post, prefix=f"t{ticket.pk}")
            form.is_valid()
            approve = post.get("decision") == "approve"

            def run() -> str:
                s.completion_decide(
                    actor=user, ticket=ticket, approve=approve, note=form.cleaned_data["note"]
                )
                if approve:
                    return _("Completion of ticket %(number)s approved.") % {
                        "number": ticket.number
                    }
                return _("Completion of ticket %(number)s refused; back to the unit.") % {
                    "number": ticket.number
                }

        failed = _attempt(request, run)
        return failed or redirect(_here(request, "ticket"))
    if action in ("send_back", "extension"):
        unit_request = (
            queues.visible_requests(user, action).filter(pk=_pk(post.get("request"))).first()
        )
        if unit_request is None:
            raise Http404
        approve = post.get("decision") == "approve"
        number = unit_request.assignment.ticket.number
        if action == "send_back":
            form = bound[(action, unit_request.pk)] = f.NoteForm(post, prefix=f"r{unit_request.pk}")
            form.is_valid()

            def run() -> str:
                s.send_back_decide(
                    actor=user,
                    request=unit_request,
                    approve=approve,
                    note=form.cleaned_data["note"],
                )
                if approve:
                    return _("Send-back of ticket %(number)s approved: it waits for dispatch.") % {
                        "number": number
                    }
                return _("Send-back of ticket %(number)s refused: the unit goes on.") % {
                    "number": number
                }

        else:
            form = bound[(action, unit_request.pk)] = f.ExtensionDecisionForm(
                post, prefix=f"r{unit_request.pk}"
            )
            if not form.is_valid():
                return _invalid(request)

            def run() -> str:
                decided = s.extension_decide(
                    actor=user,
                    request=unit_request,
                    approve=approve,
                    note=form.cleaned_data["note"],
                    days=form.cleaned_data["days"],
                )
                if approve:
                    return _("Extension of ticket %(number)s approved: %(days)s working days.") % {
                        "number": number,
                        "days": decided.days,
                    }
                return _("Extension of ticket %(number)s refused.") % {"number": number}

        return _attempt(request, run) or redirect(_here(request))
    if action in ("exclusion", "carry_over"):
        return followup.request_decide(request, action, bound)
    raise Http404


@capability_required(Capability.DISPATCH)
def dispatch(request: HttpRequest) -> HttpResponse:
    """派单 queues with counts; the selected ticket's dispatch form beside the list."""
    bound: dict = {}
    status = 200
    if request.method == "POST":
        result = _dispatch_post(request, bound)
        if isinstance(result, HttpResponse):
            return result
        status = result
    tabs = list(DISPATCH_TABS)
    tab = _tab(request, tabs)
    all_queues = queues.dispatch_queues(request.user)
    urgency = request.GET.get("urgency", "")
    field = URGENCY_FIELD.get(tab, "urgency")
    page = _page(request, queues.by_urgency(all_queues[tab], urgency, field))
    counts = capped_counts({key: all_queues[key] for key, _label in tabs})
    rows: list[dict] = []
    on = directory.today()
    catalog = list(directory.catalog_in_force(on=on)) if tab == "pending" else []
    now = clock.now()
    tickets_on_page = [obj.assignment.ticket if tab in URGENCY_FIELD else obj for obj in page]
    clocks = _clocks(t.policy_version_id for t in tickets_on_page)
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
            row.update(_extension_preview(obj))
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
    return _show(
        request, "workbench/dispatch.html", "workbench/_dispatch_workspace.html", context, status
    )


def _extension_preview(request: UnitRequest) -> dict[str, Any]:
    """What the reviewer sees before approving (R-UN-3): the new reply deadline if the
    days asked are granted, and the rule's limits."""
    a = request.assignment
    limits = deadlines.extension_limits(a.ticket, a)
    try:
        new_due = deadlines.due_after_extension(a.ticket, a, request.days or 0)
    except ValueError:
        new_due = None
    return {"new_due": new_due, "limits": limits, "refusal": limits.refusal(request.days or 0)}


# --- 待办 unit inbox ----------------------------------------------------------------------

INBOX_TABS = [
    ("sign", gettext_lazy("To sign")),
    ("handling", gettext_lazy("Handling")),
    ("due_soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("replied", gettext_lazy("Replied")),
    ("done", gettext_lazy("Completed")),
]


def _assignment_forms(assignment: Assignment, bound: dict) -> dict[str, Any]:
    unit = assignment.unit
    return {
        "sign": bound.get("sign") or f.SignForm(prefix="sign", unit=unit),
        "pass_down": bound.get("pass_down") or f.PassDownForm(prefix="pd", unit=unit),
        "send_back": bound.get("send_back") or f.SendBackForm(prefix="sb"),
        "extension": bound.get("extension") or f.ExtensionForm(prefix="ext"),
        "assist": bound.get("assist") or f.AssistForm(prefix="as"),
        "reply": bound.get("reply") or f.ReplyForm(prefix="rp"),
    }


def _inbox_post(request: HttpRequest, bound: dict) -> HttpResponse | int:
    user: Any = request.user
    post = request.POST
    action = post.get("action", "")
    if action in ("reply_approve", "reply_return"):
        reply = queues.replies_to_approve(user).filter(pk=_pk(post.get("reply"))).first()
        if reply is None:
            raise Http404
        form = bound[("reply", reply.pk)] = f.NoteForm(post, prefix=f"p{reply.pk}")
        form.is_valid()
        number = reply.assignment.ticket.number
        approve = action == "reply_approve"

        def decide() -> str:
            s.reply_decide(actor=user, reply=reply, approve=approve, note=form.cleaned_data["note"])
            if approve:
                return _("Reply for ticket %(number)s approved and sent to the hotline.") % {
                    "number": number
                }
            return _("Reply for ticket %(number)s returned to the handler.") % {"number": number}

        return _attempt(request, decide) or redirect(_here(request))
    if action == "reply_withdraw":
        return _reply_withdraw(request)
    if action == "bulk_sign":
        return _bulk_sign(request)
    assignment = queues.inbox_base(user).filter(pk=_pk(post.get("assignment"))).first()
    if assignment is None:
        raise Http404
    number = assignment.ticket.number
    unit = assignment.unit
    forms: dict[str, Any] = {
        "sign": lambda: f.SignForm(post, prefix="sign", unit=unit),
        "pass_down": lambda: f.PassDownForm(post, prefix="pd", unit=unit),
        "send_back": lambda: f.SendBackForm(post, prefix="sb"),
        "extension": lambda: f.ExtensionForm(post, prefix="ext"),
        "assist": lambda: f.AssistForm(post, prefix="as"),
        "reply": lambda: f.ReplyForm(post, request.FILES, prefix="rp"),
        "sub_review": lambda: f.SubReviewForm(post, prefix=f"sub{post.get('sub')}"),
    }
    if action not in forms:
        raise Http404
    form = bound[action] = forms[action]()
    if not form.is_valid():
        return _invalid(request)
    data = form.cleaned_data

    def run() -> str:
        if action == "sign":
            signed = s.assignment_sign(actor=user, assignment=assignment, handler=data["handler"])
            return _("Signed for ticket %(number)s; handler: %(handler)s.") % {
                "number": number,
                "handler": signed.handler.get_full_name() if signed.handler else "—",
            }
        if action == "pass_down":
            s.assignment_pass_down(
                actor=user, assignment=assignment, unit=data["unit"], note=data["note"]
            )
            return _("Ticket %(number)s passed down to %(unit)s.") % {
                "number": number,
                "unit": data["unit"].name,
            }
        if action == "send_back":
            s.send_back_request(
                actor=user,
                assignment=assignment,
                reason=data["reason"],
                legal_basis=data["legal_basis"],
                suggested_unit=data["suggested_unit"],
            )
            return _("Send-back of ticket %(number)s requested; the hotline reviews it.") % {
                "number": number
            }
        if action == "extension":
            s.extension_request(
                actor=user, assignment=assignment, reason=data["reason"], days=data["days"]
            )
            return _("Extension of %(days)s working days requested for ticket %(number)s.") % {
                "number": number,
                "days": data["days"],
            }
        if action == "assist":
            s.assist_report(actor=user, assignment=assignment, text=data["text"])
            return _("Your part of ticket %(number)s was reported.") % {"number": number}
        if action == "reply":
            s.reply_submit(
                actor=user,
                assignment=assignment,
                text=data["text"],
                points=form.point_list(),
                citizen_view=data["citizen_view"],
                result=data["result"],
                result_reason=data["result_reason"],
                files=data["attachments"],
            )
            return _("Reply for ticket %(number)s sent to the unit leader for approval.") % {
                "number": number
            }
        sub = assignment.subs.filter(pk=_pk(post.get("sub"))).first()
        if sub is None:
            raise DomainError(_("No such sub-unit assignment."))
        accept = post.get("decision") == "accept"
        s.sub_review(actor=user, sub=sub, accept=accept, note=data["note"])
        return _("Result of %(unit)s reviewed.") % {"unit": sub.unit.name}

    return _attempt(request, run) or redirect(_here(request))


def _reply_withdraw(request: HttpRequest) -> HttpResponse | int:
    """The handler takes back a reply the unit leader has not decided yet."""
    user: Any = request.user
    reply = (
        Reply.objects.filter(
            assignment__in=queues.inbox_base(user), pk=_pk(request.POST.get("reply"))
        )
        .select_related("assignment__ticket")
        .first()
    )
    if reply is None:
        raise Http404
    number = reply.assignment.ticket.number

    def run() -> str:
        s.reply_withdraw(actor=user, reply=reply)
        return _("Reply for ticket %(number)s withdrawn; edit it and send it again.") % {
            "number": number
        }

    return _attempt(request, run) or redirect(_here(request))


def _bulk_sign(request: HttpRequest) -> HttpResponse:
    """批量签收: every ticked assignment awaiting signature, each on its own; the ones a
    concurrent action took are named, the rest signed."""
    user: Any = request.user
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    chosen = queues.inbox_base(user).filter(pk__in=ids, state=Assignment.State.DISPATCHED)
    signed, failed = [], []
    for assignment in chosen:
        try:
            s.assignment_sign(actor=user, assignment=assignment)
        except DomainError as exc:
            failed.append(f"{assignment.ticket.number}：{exc.message}")
        else:
            signed.append(assignment.ticket.number)
    if signed:
        messages.success(request, _("Signed %(n)d tickets.") % {"n": len(signed)})
    if failed:
        messages.error(request, "；".join(failed))
    if not signed and not failed:
        messages.error(request, _("Tick the tickets to sign."))
    return redirect(_here(request))


def selected_any(request: HttpRequest) -> bool:
    return bool(request.GET.get("a") or request.POST.get("assignment"))


def _inbox_search(queryset, query: str):
    """The inbox's own search: a ticket number, or words of the summary or the place."""
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(ticket__number=query)
        | Q(ticket__summary__icontains=query)
        | Q(ticket__address__icontains=query)
    )


@require_GET
@capability_required(Capability.HANDLE)
def reply_check(request: HttpRequest) -> HttpResponse:
    """The reply check while the handler writes (htmx, R-UN-5): the same findings the
    unit leader and the hotline's reviewer see."""
    assignment = queues.inbox_base(request.user).filter(pk=_pk(request.GET.get("a"))).first()
    if assignment is None:
        raise Http404
    ticket = assignment.ticket
    text = request.GET.get("rp-text", "").strip()
    return render(
        request,
        "workbench/_reply_check_live.html",
        {"question": f"{ticket.summary}\n{ticket.detail}", "text": text},
    )


@capability_required(Capability.HANDLE)
def inbox(request: HttpRequest) -> HttpResponse:
    """待办: the unit's assignments by stage, remaining working days on each row."""
    bound: dict = {}
    status = 200
    if request.method == "POST":
        result = _inbox_post(request, bound)
        if isinstance(result, HttpResponse):
            return result
        status = result
    user: Any = request.user
    tabs = list(INBOX_TABS)
    calendar, now = work_calendar(), clock.now()
    all_queues: dict[str, Any] = queues.inbox_queues(user, calendar=calendar, now=now)
    if can(user, Capability.APPROVE_REPLY):
        tabs.append(("approve", gettext_lazy("Replies to approve")))
        all_queues["approve"] = queues.replies_to_approve(user)
    tab = _tab(request, tabs)
    if (
        "tab" not in request.GET
        and can(user, Capability.APPROVE_REPLY)
        and not selected_any(request)
    ):
        tab = "approve"  # the unit leader lands on the replies waiting for sign-off
    counts = queues.inbox_counts(user, calendar=calendar, now=now) if user.unit_id else {}
    others = capped_counts({k: all_queues[k] for k, _label in tabs if k not in counts})
    urgency = request.GET.get("urgency", "")
    field = "assignment__urgency" if tab == "approve" else "urgency"
    listed = queues.by_urgency(all_queues[tab], urgency, field)
    if tab != "approve":
        listed = _inbox_search(listed, request.GET.get("q", ""))
    page = _page(request, listed)
    rows: list[dict] = []
    reminded = {} if tab == "approve" else queues.reminder_counts([obj.pk for obj in page])
    for obj in page:
        if tab == "approve":
            form = bound.get(("reply", obj.pk)) or f.NoteForm(prefix=f"p{obj.pk}")
            rows.append({"obj": obj, "form": form})
        else:
            rows.append(
                {
                    "obj": obj,
                    # 待签收 counts to the sign deadline, every other tab to the reply's.
                    "due": obj.sign_due if tab == "sign" else obj.reply_due,
                    "left": queues.remaining(
                        obj.sign_due if tab == "sign" else obj.reply_due,
                        calendar=calendar,
                        now=now,
                    ),
                    "reminded": reminded.get(obj.pk, 0),
                    "age": queues.age(obj.dispatched_at, now=now),
                }
            )
    context: dict[str, Any] = {
        "section": SECTION_BY_KEY["inbox"],
        "unit": user.unit,
        "tabs": [
            (key, label, counts[key] if key in counts else others[key]) for key, label in tabs
        ],
        "tab": tab,
        "page": page,
        "rows": rows,
    }
    selected = request.POST.get("assignment") or request.GET.get("a", "")
    if selected.isdigit():
        assignment = (
            queues.inbox_base(user)
            .prefetch_related("replies", "requests", "subs__unit")
            .filter(pk=selected)
            .first()
        )
        if assignment is not None:
            context.update(
                a=assignment,
                citizen=citizen_for(user, assignment.ticket),
                left=queues.remaining(assignment.reply_due, calendar=calendar, now=now),
                forms=_assignment_forms(assignment, bound),
                extension=deadlines.extension_limits(assignment.ticket, assignment)
                if assignment.active
                else None,
                open_bound=next((k for k in bound if isinstance(k, str)), ""),
                has_children=assignment.unit.children.filter(active=True).exists(),
                pending_reply=next(
                    (r for r in assignment.replies.all() if r.state == Reply.State.SUBMITTED),
                    None,
                ),
                pending_requests=assignment.pending_requests(),
                subs=[
                    {
                        "obj": sub,
                        "form": bound.get("sub_review")
                        if request.POST.get("sub") == str(sub.pk)
                        else f.SubReviewForm(prefix=f"sub{sub.pk}"),
                    }
                    for sub in assignment.subs.all()
                    if sub.active
                ],
            )
    return _show(
        request, "workbench/inbox.html", "workbench/_inbox_workspace.html", context, status
    )


@capability_required(Capability.VIEW_POLICIES)
@capability_required(Capability.HANDLE, Capability.DISPATCH)
def assignment_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """交办单: the printable assignment sheet of one unit's part."""
    user = request.user
    assignment = access(
        Assignment.objects.visible_to(user).select_related(
            "ticket__citizen", "ticket__policy_version", "unit", "parent__unit"
        ),
        pk=pk,
    )
    ticket = assignment.ticket
    explained = deadlines.assignment_deadlines(ticket, assignment) if assignment.active else None
    dispatched = ticket.events.filter(kind="dispatched").select_related("actor").last()
    return render(
        request,
        "workbench/sheet.html",
        {
            "a": assignment,
            "ticket": ticket,
            "citizen": citizen_for(user, ticket),
            "deadlines": explained,
            "dispatched": dispatched,
            "others": ticket.assignments.filter(active=True)
            .exclude(pk=assignment.pk)
            .select_related("unit"),
        },
    )


# --- 回访 return visits --------------------------------------------------------------------


def _visits_post(request: HttpRequest, bound: dict) -> HttpResponse | int:
    user: Any = request.user
    post = request.POST
    action = post.get("action", "")
    ticket = queues.visit_queue(user).filter(number=post.get("ticket", "")).first()
    if ticket is None:
        raise Http404
    number = ticket.number
    if action == "visit":
        form: Form = f.VisitForm(post)
        bound["visit"] = form
        if not form.is_valid():
            return _invalid(request)
        data = form.cleaned_data

        def record() -> str:
            visit = s.visit_record(
                actor=user,
                ticket=ticket,
                satisfaction=data["satisfaction"],
                resolved=data["resolved"] == "1",
                channel=data["channel"],
                note=data["note"],
                unit_satisfaction=data["unit_satisfaction"],
                operator_satisfaction=data["operator_satisfaction"],
            )
            if visit.satisfaction == Visit.Satisfaction.UNSATISFIED:
                return _(
                    "Return visit of ticket %(number)s recorded: unsatisfied. "
                    "Order a redo or a screening."
                ) % {"number": number}
            return _("Return visit of ticket %(number)s recorded: %(satisfaction)s; closed.") % {
                "number": number,
                "satisfaction": visit.get_satisfaction_display(),
            }

        failed = _attempt(request, record)
        if failed:
            return failed
        ticket.refresh_from_db()
        if ticket.status == Status.COMPLETED:
            return redirect(_here(request))
        return redirect(_here(request, "ticket"))
    if action in ("redo", "screen"):
        form = bound[action] = f.ReasonForm(post, prefix=action)
        form.is_valid()
        reason = form.cleaned_data["reason"]

        def order() -> str:
            if action == "redo":
                s.ticket_redo(actor=user, ticket=ticket, reason=reason)
                return _("Redo of ticket %(number)s ordered; back to the lead unit.") % {
                    "number": number
                }
            s.ticket_screen(actor=user, ticket=ticket, reason=reason)
            return _("Ticket %(number)s ruled validly completed and closed.") % {"number": number}

        return _attempt(request, order) or redirect(_here(request, "ticket"))
    if action == "visit_fail":
        return followup.visit_fail_post(request, ticket, bound)
    raise Http404


@capability_required(Capability.VISIT)
def visits(request: HttpRequest) -> HttpResponse:
    """回访: completed tickets, oldest first; record the visit, or order redo / screening."""
    bound: dict = {}
    status = 200
    if request.method == "POST":
        result = _visits_post(request, bound)
        if isinstance(result, HttpResponse):
            return result
        status = result
    sort = request.GET.get("sort", "due")
    queue = queues.visit_queue(request.user, sort)
    page = _page(request, queues.by_urgency(queue, request.GET.get("urgency", "")))
    context: dict[str, Any] = {
        "sort": sort,
        "now": clock.now(),
        "section": SECTION_BY_KEY["visits"],
        "page": page,
        "total": page.paginator.count,
    }
    number = request.POST.get("ticket") or request.GET.get("ticket", "")
    if number:
        ticket = queue.filter(number=number).first()
        if ticket is not None:
            lead = ticket.lead
            reply = ticket.approved_reply()
            context.update(
                ticket=ticket,
                citizen=citizen_for(request.user, ticket),
                lead=lead,
                reply=reply,
                earlier=list(ticket.visits.all()),
                form=bound.get("visit") or f.VisitForm(),
                redo_form=bound.get("redo") or f.ReasonForm(prefix="redo"),
                screen_form=bound.get("screen") or f.ReasonForm(prefix="screen"),
                fail_form=bound.get("visit_fail") or followup.VisitFailForm(prefix="fail"),
            )
    return _show(
        request, "workbench/visits.html", "workbench/_visits_workspace.html", context, status
    )
