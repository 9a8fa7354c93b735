"""The portal's picture code: django-simple-captcha's field, checked with one statement.

The package's field deletes every expired challenge on each check (a DELETE that takes
SQLite's one write lock in a transaction of its own, whatever it finds), then reads the
challenge and deletes it in a second transaction. Here the check is one DELETE … RETURNING
of the challenge, only while it is live: the same rules (a challenge is tried once, right
or wrong; an expired one is refused; the test mode's "PASSED" still uses one up), one
write instead of two or three. Expired challenges are dropped by the tick's sweep
(`sweep_expired`, with the portal's counters)."""

from __future__ import annotations

from typing import Any

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField
from captcha.models import CaptchaStore
from django import forms
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy


def take(hashkey: str, *, live_only: bool = True) -> str | None:
    """Delete the challenge `hashkey` and return its answer (None when there was none,
    or, with live_only, when it had expired)."""
    connection = connections[router.db_for_write(CaptchaStore)]
    q = connection.ops.quote_name
    sql = f"DELETE FROM {q(CaptchaStore._meta.db_table)} WHERE {q('hashkey')} = %s"
    params: list[Any] = [hashkey]
    if live_only:
        sql += f" AND {q('expiration')} > %s"
        params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    with connection.cursor() as cursor:
        cursor.execute(sql + f" RETURNING {q('response')}", params)
        rows = cursor.fetchall()  # read to the end: SQLite ends the statement there
    return rows[0][0] if rows else None


def sweep_expired() -> int:
    return CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()[0]


class Captcha(CaptchaField):
    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # required, both parts (the package's checks)
        response, value[1] = (value[1] or "").strip().lower(), ""
        if captcha_settings.CAPTCHA_TEST_MODE and response == "passed":
            take(value[0], live_only=False)
        elif (self.required or response) and take(value[0]) != response:
            raise forms.ValidationError(
                getattr(self, "error_messages", {}).get("invalid", gettext_lazy("Invalid CAPTCHA"))
            )
        return value
