"""待办 the unit inbox: the unit's assignments by stage, remaining working days on each
row, the selected assignment's panel with its buttons (declared below, decision 0023), and
the replies waiting for the unit leader's sign-off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hotline.accounts.decorators import capability_required
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import Capability, can
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.sla.selectors import work_calendar
from hotline.tickets import deadlines
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Reply
from hotline.tickets.selectors import citizen_for
from hotline.workbench import forms as f
from hotline.workbench import queues
from hotline.workbench.paging import capped_counts
from hotline.workbench.views.buttons import (
    Button,
    buttons,
    handle_post,
    page_of,
    pk_of,
    show_page,
    tab_of,
)

INBOX_TABS = [
    ("sign", gettext_lazy("To sign")),
    ("handling", gettext_lazy("Handling")),
    ("due_soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("replied", gettext_lazy("Replied")),
    ("done", gettext_lazy("Completed")),
]


def _assignment(request: HttpRequest) -> Assignment | None:
    return queues.inbox_base(request.user).filter(pk=pk_of(request.POST.get("assignment"))).first()


def _to_approve(request: HttpRequest) -> Reply | None:
    return (
        queues.replies_to_approve(request.user).filter(pk=pk_of(request.POST.get("reply"))).first()
    )


def _own_reply(request: HttpRequest) -> Reply | None:
    """A reply of the user's unit the unit leader has not decided yet."""
    return (
        Reply.objects.filter(
            assignment__in=queues.inbox_base(request.user), pk=pk_of(request.POST.get("reply"))
        )
        .select_related("assignment__ticket")
        .first()
    )


def _ticked(request: HttpRequest):
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    return queues.inbox_base(request.user).filter(pk__in=ids, state=Assignment.State.DISPATCHED)


def _bulk_sign(user, chosen, _data, _post) -> tuple[list[str], list[str]]:
    """批量签收: every ticked assignment awaiting signature, each on its own; the ones a
    concurrent action took are named, the rest signed."""
    signed, failed = [], []
    for assignment in chosen:
        try:
            s.assignment_sign(actor=user, assignment=assignment)
        except DomainError as exc:
            failed.append(f"{assignment.ticket.number}：{exc.message}")
        else:
            signed.append(assignment.ticket.number)
    return signed, failed


def _bulk_signed(_chosen, _data, result: tuple[list[str], list[str]]) -> list[tuple[int, str]]:
    signed, failed = result
    told = []
    if signed:
        told.append((messages.SUCCESS, _("Signed %(n)d tickets.") % {"n": len(signed)}))
    if failed:
        told.append((messages.ERROR, "；".join(failed)))
    if not signed and not failed:
        told.append((messages.ERROR, _("Tick the tickets to sign.")))
    return told


def _reply_decision(approve: bool) -> Button:
    def service(user, reply: Reply, data: dict, _post) -> None:
        s.reply_decide(actor=user, reply=reply, approve=approve, note=data["note"])

    def done(reply: Reply, _data, _result) -> str:
        number = reply.assignment.ticket.number
        if approve:
            return _("Reply for ticket %(number)s approved and sent to the hotline.") % {
                "number": number
            }
        return _("Reply for ticket %(number)s returned to the handler.") % {"number": number}

    return Button(
        "reply_approve" if approve else "reply_return",
        find=_to_approve,
        form=lambda reply, request: f.NoteForm(request.POST, prefix=f"p{reply.pk}"),
        bound_as=lambda reply: ("reply", reply.pk),
        service=service,
        done=done,
    )


def _number(a: Assignment) -> dict[str, str]:
    return {"number": a.ticket.number}


def _signed(a: Assignment, _data, signed: Assignment) -> str:
    return _("Signed for ticket %(number)s; handler: %(handler)s.") % {
        "number": a.ticket.number,
        "handler": signed.handler.get_full_name() if signed.handler else "—",
    }


def _reply_submit(user, a: Assignment, data: dict, _post) -> None:
    s.reply_submit(
        actor=user,
        assignment=a,
        text=data["text"],
        points=data["points"],
        citizen_view=data["citizen_view"],
        result=data["result"],
        result_reason=data["result_reason"],
        files=data["attachments"],
    )


def _sub_review(user, a: Assignment, data: dict, post) -> Assignment:
    sub = a.subs.filter(pk=pk_of(post.get("sub"))).first()
    if sub is None:
        raise DomainError(_("No such sub-unit assignment."))
    s.sub_review(actor=user, sub=sub, accept=post.get("decision") == "accept", note=data["note"])
    return sub


def _panel(name: str, form, service, done) -> Button:
    """A button of the selected assignment's panel."""
    return Button(name, find=_assignment, form=form, service=service, done=done)


BUTTONS = buttons(
    _reply_decision(True),
    _reply_decision(False),
    Button(
        "reply_withdraw",
        find=_own_reply,
        service=lambda user, reply, _data, _post: s.reply_withdraw(actor=user, reply=reply),
        done=lambda reply, _data, _result: (
            _("Reply for ticket %(number)s withdrawn; edit it and send it again.")
            % _number(reply.assignment)
        ),
    ),
    Button("bulk_sign", find=_ticked, service=_bulk_sign, done=_bulk_signed),
    _panel(
        "sign",
        lambda a, request: f.SignForm(request.POST, prefix="sign", unit=a.unit),
        lambda user, a, data, _post: s.assignment_sign(
            actor=user, assignment=a, handler=data["handler"]
        ),
        _signed,
    ),
    _panel(
        "pass_down",
        lambda a, request: f.PassDownForm(request.POST, prefix="pd", unit=a.unit),
        lambda user, a, data, _post: s.assignment_pass_down(
            actor=user, assignment=a, unit=data["unit"], note=data["note"]
        ),
        lambda a, data, _result: (
            _("Ticket %(number)s passed down to %(unit)s.")
            % {**_number(a), "unit": data["unit"].name}
        ),
    ),
    _panel(
        "send_back",
        lambda _a, request: f.SendBackForm(request.POST, prefix="sb"),
        lambda user, a, data, _post: s.send_back_request(
            actor=user,
            assignment=a,
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            suggested_unit=data["suggested_unit"],
        ),
        lambda a, _data, _result: (
            _("Send-back of ticket %(number)s requested; the hotline reviews it.") % _number(a)
        ),
    ),
    _panel(
        "extension",
        lambda _a, request: f.ExtensionForm(request.POST, prefix="ext"),
        lambda user, a, data, _post: s.extension_request(
            actor=user, assignment=a, reason=data["reason"], days=data["days"]
        ),
        lambda a, data, _result: (
            _("Extension of %(days)s working days requested for ticket %(number)s.")
            % {**_number(a), "days": data["days"]}
        ),
    ),
    _panel(
        "assist",
        lambda _a, request: f.AssistForm(request.POST, prefix="as"),
        lambda user, a, data, _post: s.assist_report(actor=user, assignment=a, text=data["text"]),
        lambda a, _data, _result: _("Your part of ticket %(number)s was reported.") % _number(a),
    ),
    _panel(
        "reply",
        lambda _a, request: f.ReplyForm(request.POST, request.FILES, prefix="rp"),
        _reply_submit,
        lambda a, _data, _result: (
            _("Reply for ticket %(number)s sent to the unit leader for approval.") % _number(a)
        ),
    ),
    _panel(
        "sub_review",
        lambda _a, request: f.SubReviewForm(request.POST, prefix=f"sub{request.POST.get('sub')}"),
        _sub_review,
        lambda _a, _data, sub: _("Result of %(unit)s reviewed.") % {"unit": sub.unit.name},
    ),
)


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
    assignment = queues.inbox_base(request.user).filter(pk=pk_of(request.GET.get("a"))).first()
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
    status = handle_post(request, BUTTONS, bound)
    if isinstance(status, HttpResponse):
        return status
    user: Any = request.user
    tabs = list(INBOX_TABS)
    calendar, now = work_calendar(), clock.now()
    all_queues: dict[str, Any] = queues.inbox_queues(user, calendar=calendar, now=now)
    if can(user, Capability.APPROVE_REPLY):
        tabs.append(("approve", gettext_lazy("Replies to approve")))
        all_queues["approve"] = queues.replies_to_approve(user)
    tab = tab_of(request, tabs)
    if (
        "tab" not in request.GET
        and can(user, Capability.APPROVE_REPLY)
        and not selected_any(request)
    ):
        tab = "approve"  # the unit leader lands on the replies waiting for sign-off
    counts = queues.inbox_counts(user, calendar=calendar, now=now) if user.unit_id else {}
    others = capped_counts({k: all_queues[k] for k, _label in tabs if k not in counts})
    urgency = request.GET.get("urgency", "")
    listed = queues.by_urgency(all_queues[tab], urgency)
    if tab != "approve":
        listed = _inbox_search(listed, request.GET.get("q", ""))
    page = page_of(request, listed)
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
    return show_page(
        request, "workbench/inbox.html", "workbench/_inbox_workspace.html", context, status
    )
