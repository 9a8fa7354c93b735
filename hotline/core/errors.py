"""Domain errors. Every interface turns them into a clear message (page) or JSON (API)."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; `message` is shown to the user as is."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The state changed under the caller (a concurrent action won)."""

    status = 409
    code = "conflict"


def form_errors_text(form) -> str:
    """A bound, invalid form's errors as one line (`字段：错误；…`) for the API's message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            parts.append(f"{label}：{error}" if label else str(error))
    return "；".join(parts)
