from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control

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


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language with the switcher (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a staff
    member with an English-language browser would get an English hotline; the regulations'
    terms are Chinese and so is the interface, English only on request.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreMiddleware:
    """Pages for a logged-in user may show citizens' personal data: no browser or proxy
    keeps a copy (`Cache-Control: no-store`, issue 14 item 8; 等保 8.1.4.10 剩余信息保护)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
            response.headers.pop("Expires", None)
        return response
