"""The one check every piece of text passes before the database sees it (issue 14 item 1).

Text arrives from API schemas, forms, imports and channels; all of it ends in a model
save, so a `pre_save` hook (core.apps) runs `clean_model_text` on every hotline model:
valid Unicode without lone surrogates or NUL, other control characters stripped, and
lengths checked against the model's `max_length`. A refusal is a DomainError naming
the field, which pages show as a message and the API as `{"error": …}` with a 400:
nothing is silently cut, nothing reaches the database that would make a page a 500.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext, pgettext_lazy

from hotline.core.errors import DomainError

# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class TextError(DomainError):
    code = "invalid_text"


# The field a refusal names when the caller gives none.
TEXT = pgettext_lazy("a field", "text")


def clean_text(value: str, *, label: Any = None, max_length: int | None = None) -> str:
    """The text with control characters removed; TextError when it cannot be stored.

    The refusal names the field by `label` (the model field's verbose name) and is
    rendered in the active language (decision 0025).
    """
    if _SURROGATE.search(value):
        raise TextError(
            gettext(
                "“%(label)s” contains an invalid character encoding (an unpaired "
                "surrogate); please enter it again."
            )
            % {"label": label or TEXT}
        )
    if "\x00" in value:
        raise TextError(
            gettext("“%(label)s” contains a null character (NUL); please enter it again.")
            % {"label": label or TEXT}
        )
    value = _CONTROL.sub("", value)
    if max_length is not None and len(value) > max_length:
        raise TextError(
            gettext("“%(label)s” is too long: at most %(limit)s characters, it has %(length)s.")
            % {"label": label or TEXT, "limit": max_length, "length": len(value)},
            code="too_long",
        )
    return value


def clean_data(value: Any, *, label: Any) -> Any:
    """Every string inside JSON-shaped data (dicts, lists) cleaned the same way."""
    if isinstance(value, str):
        return clean_text(value, label=label)
    if isinstance(value, dict):
        return {
            clean_text(str(k), label=label): clean_data(v, label=label) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_data(v, label=label) for v in value]
    return value


@functools.cache
def _text_fields(model: type[models.Model]) -> tuple[tuple[str, str, Any, int | None], ...]:
    """The model's text and JSON columns: (kind, attname, verbose name, max_length). Found
    once per model, not on every save (issue 14 item 11)."""
    found = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            max_length = field.max_length if isinstance(field, models.CharField) else None
            found.append(("text", field.attname, field.verbose_name, max_length))
        elif isinstance(field, models.JSONField):
            found.append(("json", field.attname, field.verbose_name, None))
    return tuple(found)


def clean_model_text(instance: models.Model, only: Iterable[str] | None = None) -> None:
    """Clean every text and JSON field of the instance in place (the pre_save hook); with
    `only` (a save's `update_fields`), those of them the save writes. The field's verbose
    name is translated only for a refusal, not on every save."""
    names = None if only is None else set(only)
    for kind, attname, label, max_length in _text_fields(type(instance)):
        if names is not None and attname not in names:
            continue
        value = getattr(instance, attname)
        if kind == "text":
            if isinstance(value, str):
                setattr(instance, attname, clean_text(value, label=label, max_length=max_length))
        elif value is not None:
            setattr(instance, attname, clean_data(value, label=label))


def clean_text_pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not sender.__module__.startswith("hotline."):
        return
    clean_model_text(instance, update_fields)


# Digits with the separators people type (+86, 0571-, spaces, brackets), an extension after 转.
_PHONE = re.compile(r"^\+?[0-9()\- ]{3,32}(转[0-9]{1,6})?$")


def phone_is_valid(phone: str) -> bool:
    """A phone number as a caller or the exchange gives it: never letters or markup."""
    return bool(_PHONE.match(phone)) and sum(ch.isdigit() for ch in phone) >= 3


# What an online channel knows of a citizen who gave no phone: a mail address or a WeChat
# follower's openid, kept in the citizen's own e-mail and WeChat fields (issue 13).
_EMAIL = re.compile(r"^[^@\s<>\"'\x00]{1,64}@[^@\s<>\"'\x00]{1,190}\.[A-Za-z]{2,24}$")
_OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def email_is_valid(address: str) -> bool:
    """A mail address as a mailbox gives it (at most 254 characters, no markup)."""
    return len(address) <= 254 and bool(_EMAIL.match(address))


def openid_is_valid(openid: str) -> bool:
    """A WeChat follower's openid (letters, digits, - and _)."""
    return bool(_OPENID.match(openid))
