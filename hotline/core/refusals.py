"""The one way a page answers a refused service call (design rule 2, decision 0023).

A service refuses by raising `DomainError` (400 invalid, 403 not allowed, 409 the state
changed under the caller); its `message` is already the sentence the user reads. Pages
turn it into a response in one of two ways, and only these:

- a page that shows itself again (the workbench sections, a form page) puts the message
  on the page and answers with the error's status: `refused(request, exc)`;
- a POST that redirects (post/redirect/get, no page of its own) cannot carry a status, so
  a refusal for lack of permission becomes the 403 page and any other refusal the message
  on the page it redirects to: `refused_then(request, exc, response)`.

A form page that shows its errors above its fields takes the message as a form error
instead (`refused_in_form(form, exc)`) and answers 400 like any other error of its form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse

from hotline.core.errors import DomainError


def refused(request: HttpRequest, exc: DomainError, *, about: str = "") -> int:
    """The refusal's message on the page (after `about：`, e.g. the ticket's number, when
    one page refuses for several rows); its status for the page shown again."""
    messages.error(request, f"{about}：{exc.message}" if about else exc.message)
    return exc.status


def refused_then(
    request: HttpRequest, exc: DomainError, response: HttpResponse, *, about: str = ""
) -> HttpResponse:
    """For a POST that redirects: 403 page when not allowed, else the message and `response`."""
    if exc.status == 403:
        raise DjangoPermissionDenied(exc.message) from None
    refused(request, exc, about=about)
    return response


def refused_in_form(form, exc: DomainError) -> None:
    """The refusal as the form's own error, shown above its fields; a form page answers
    400 for any error of its form, a refusal included."""
    form.add_error(None, exc.message)
