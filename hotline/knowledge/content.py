"""An entry's content and the checks it must pass before it is saved (R-KB, ZS 34–35).

The body is sanitized HTML; `check_content` lists every problem of a draft at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime

import nh3
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError
from hotline.directory.models import Topic, Unit
from hotline.knowledge import policy
from hotline.knowledge.models import (
    EntryVersion,
    Kind,
    WorksKind,
)

UNSAFE_HTML = re.compile(
    r"<\s*(script|style|iframe|object|embed|form|input|link|meta|svg|math)\b"
    r"|\son[a-z]+\s*=|javascript\s*:|vbscript\s*:|data\s*:\s*text/html",
    re.IGNORECASE,
)


@dataclass
class Content:
    """What a version holds; views, the API and the importer all fill one of these."""

    title: str = ""
    answer: str = ""
    body: str = ""
    keywords: str = ""
    topic: Topic | None = None
    effective: date | None = None
    expires: date | None = None
    review_by: date | None = None
    release_on: date | None = None
    public_phone: str = ""
    service_hours: str = ""
    works_kind: str = ""
    works_region: Unit | None = None
    works_places: str = ""
    works_start: datetime | None = None
    works_end: datetime | None = None

    @classmethod
    def of(cls, version: EntryVersion) -> Content:
        return cls(**{f.name: getattr(version, f.name) for f in fields(cls)})


def sanitize_body(body: str) -> str:
    """The body as safe HTML; scripts, event attributes and the like are refused, not
    silently dropped (the author must see that the text was not kept as written)."""
    if UNSAFE_HTML.search(body or ""):
        raise DomainError(
            _("The text contains unsafe HTML (scripts, event attributes or embedded pages)."),
            code="unsafe_html",
        )
    return nh3.clean(
        body or "",
        tags=policy.ALLOWED_TAGS,
        attributes=policy.ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )


def check_content(kind: str, owner: Unit | None, c: Content) -> list[str]:
    """Every problem of the content, in words for the author."""
    errors: list[str] = []
    if kind not in Kind.values:
        errors.append(_("Unknown entry kind."))
    if owner is None:
        errors.append(_("Choose the owner unit."))
    if not c.title.strip():
        errors.append(_("Write a title."))
    elif len(c.title) > 200:
        errors.append(_("The title has at most 200 characters."))
    if not c.answer.strip():
        errors.append(_("Write the answer for the caller."))
    elif len(c.answer) > policy.MAX_ANSWER_CHARS:
        errors.append(
            _("The answer has at most %(n)s characters.") % {"n": policy.MAX_ANSWER_CHARS}
        )
    if len(c.body) > policy.MAX_BODY_CHARS:
        errors.append(
            _("The details have at most %(n)s characters.") % {"n": policy.MAX_BODY_CHARS}
        )
    if len(c.keywords) > 500:
        errors.append(_("Keywords have at most 500 characters."))
    if c.effective is None:
        errors.append(_("Give the effective date."))
    elif c.expires is not None and c.expires < c.effective:
        errors.append(_("The expiry date is before the effective date."))
    if c.review_by and c.effective and c.review_by < c.effective:
        errors.append(_("The review date is before the effective date."))
    if kind == Kind.SERVICE and not c.public_phone.strip():
        errors.append(_("A service guide needs the unit's public service line."))
    if kind == Kind.WORKS:
        if c.works_kind not in WorksKind.values:
            errors.append(_("Choose what the works cut (water, power, gas, telecom)."))
        if c.works_start is None or c.works_end is None:
            errors.append(_("Give when the works start and end."))
        elif c.works_end <= c.works_start:
            errors.append(_("The works end before they start."))
        if c.works_region is None and not c.works_places.strip():
            errors.append(_("Name the affected area: a street or town, or place names."))
    return errors
