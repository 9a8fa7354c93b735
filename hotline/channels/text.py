"""Checks every public channel applies to what it receives: length, type and encoding.

A value that fails is refused with a Chinese message naming the field; nothing is cut
silently (a cut message would lose what the citizen said)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

# NUL and the C0 controls other than tab, line feed and carriage return; lone surrogates
# (a str can hold them after a bad decode, no database can store them).
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
PHONE = re.compile(r"^\+?[0-9][0-9-]{4,30}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")


def clean(value: object, *, label: str, max_length: int, required: bool = False) -> str:
    """The stripped text, or DomainError("<label>…") for a non-string, bad characters,
    too long, or empty when required."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("%(label)s must be text") % {"label": label}, code="invalid_type")
    if _BAD.search(value):
        raise DomainError(
            _("%(label)s has invalid characters (control characters or a bad encoding)")
            % {"label": label},
            code="invalid_encoding",
        )
    value = value.strip()
    if required and not value:
        raise DomainError(_("Please fill in %(label)s") % {"label": label}, code="required")
    if len(value) > max_length:
        raise DomainError(
            _("%(label)s is too long (%(length)s characters, at most %(limit)s)")
            % {"label": label, "length": len(value), "limit": max_length},
            code="too_long",
        )
    return value


def scrub(value: str) -> str:
    """Mail and HTML text from outside: the bad characters removed rather than refused
    (a mail cannot be asked to resend); used for bodies that arrive by polling."""
    return _BAD.sub("", value)


def check_phone(value: object, *, required: bool = False) -> str:
    value = clean(value, label=_("mobile phone"), max_length=32, required=required)
    if value and not PHONE.match(value):
        raise DomainError(_("The mobile phone number is not valid"), code="invalid_phone")
    return value


def check_email(value: object) -> str:
    value = clean(value, label=_("e-mail address"), max_length=254)
    if value and not EMAIL.match(value):
        raise DomainError(_("The e-mail address is not valid"), code="invalid_email")
    return value
