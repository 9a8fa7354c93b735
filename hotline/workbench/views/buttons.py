"""What every workbench page shares: its buttons as a table and the one POST handler.

A page declares its buttons (decision 0023): each `Button` names the value its form posts
in `action`, the row it acts on, the form that reads its input, the service it calls (from
`hotline.tickets.services`, design rule 1) and what the page says when it is done.
`handle_post` runs any of them the same way: unknown button or row → 404; invalid input →
the page again with the input and 400; a refused service call → the one refusal path
(`hotline.core.refusals`); success → post/redirect/get with the message.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError
from hotline.core.refusals import refused
from hotline.workbench.paging import CappedPaginator

PAGE_SIZE = 20

# What a button says when done: one success message, or (level, text) notices in order.
Told = str | list[tuple[int, str]]


@dataclass(frozen=True)
class Button:
    """One button of a page: posted `action` → form → service → what the page says."""

    name: str
    # (user, row, cleaned data, POST) → the service's result; raises DomainError to refuse.
    service: Callable[[Any, Any, dict, Any], Any]
    # (row, cleaned data, result) → the message(s) shown after the redirect.
    done: Callable[[Any, dict, Any], Told]
    # (row, request) → the bound form; None: the button has no input beyond its row.
    form: Callable[[Any, HttpRequest], Form] | None = None
    # row → the key the page finds the bound form under when it shows itself again.
    bound_as: Callable[[Any], Hashable] | None = None
    # request → the row the button acts on, None when not the user's (404); None: the page's.
    find: Callable[[HttpRequest], Any] | None = None
    # What an invalid form says; None: "Please correct the marked fields."
    invalid: str | Promise | None = None
    # (request, row, result) → where to go when done; None: this page less `drop`.
    then: Callable[[HttpRequest, Any, Any], HttpResponse] | None = None
    drop: tuple[str, ...] = ()


def buttons(*declared: Button) -> dict[str, Button]:
    return {button.name: button for button in declared}


def handle_post(
    request: HttpRequest,
    table: Mapping[str, Button],
    bound: dict,
    *,
    find: Callable[[HttpRequest], Any] | None = None,
    default: str = "",
) -> HttpResponse | int:
    """Run the posted button of `table`: a redirect when done, else the status to show
    the page with (200 for a GET; the bound forms left in `bound`). `find` finds the row
    of the buttons that do not find their own; `default` names the button of a form that
    posts no `action`."""
    if request.method != "POST":
        return 200
    button = table.get(request.POST.get("action") or default)
    if button is None:
        raise Http404
    finder = button.find or find
    row = finder(request) if finder is not None else None
    if row is None:
        raise Http404
    data: dict = {}
    if button.form is not None:
        form = button.form(row, request)
        bound[button.bound_as(row) if button.bound_as else button.name] = form
        if not form.is_valid():
            messages.error(request, str(button.invalid or _("Please correct the marked fields.")))
            return 400
        data = form.cleaned_data
    try:
        result = button.service(request.user, row, data, request.POST)
    except DomainError as exc:
        return refused(request, exc)
    told = button.done(row, data, result)
    for level, text in [(messages.SUCCESS, told)] if isinstance(told, str) else told:
        messages.add_message(request, level, text)
    if button.then is not None:
        return button.then(request, row, result)
    return redirect(here(request, *button.drop))


def show_page(request: HttpRequest, template: str, partial: str, context: dict, status: int):
    """The whole page, or only its workspace for an htmx tab or row switch."""
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


def page_of(request: HttpRequest, queryset) -> Any:
    return CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def here(request: HttpRequest, *drop: str) -> str:
    """This page's URL with some query parameters dropped."""
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def pk_of(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def tab_of(request: HttpRequest, tabs: list[tuple[str, Any]]) -> str:
    keys = [key for key, _label in tabs]
    wanted = request.GET.get("tab", "")
    return wanted if wanted in keys else keys[0]


def approving(post) -> bool:
    return post.get("decision") == "approve"
