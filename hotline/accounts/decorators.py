"""The view decorator every app's pages use to say who may open them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from hotline.accounts.permissions import Capability, can


def capability_required(*capabilities: Capability) -> Callable:
    """A view decorator: 403 page unless the user has one of the capabilities."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(can(request.user, c) for c in capabilities):
                raise DjangoPermissionDenied(capabilities[0].value)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
