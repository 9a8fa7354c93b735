from django.shortcuts import render

from hotline.core.errors import DomainError


class DomainErrorMiddleware:
    """A DomainError that escapes a view becomes a clear page, not a server error.

    Views should catch the errors they expect and keep the user's input; this is the
    safety net so that a refused action never shows a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return render(
            request, "core/domain_error.html", {"error": exception}, status=exception.status
        )
