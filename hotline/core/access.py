"""Fetch one object the user may see, or NotFound: the same answer for "there is no such
thing" and "it is not yours", so nobody learns what exists by probing ids (issue 14
item 9, in the manner of Zulip's access_* helpers).

    assignment = access(Assignment.objects.visible_to(user), pk=pk)

The queryset is already scoped (`visible_to`, NetBox's `restrict()` idea); an id too
large for the database is not found either, never a database error.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from hotline.core.errors import NotFound
from hotline.core.forms import MAX_ID

M = TypeVar("M", bound=Model)

NOT_FOUND = "没有找到，或无权查看"


def access(queryset: QuerySet[M], *, message: str = NOT_FOUND, **lookup: Any) -> M:
    for value in lookup.values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            raise NotFound(message)
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(message)
    return found
