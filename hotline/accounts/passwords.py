"""Password rules beyond Django's own (issue 14 item 10; 等保 8.1.4.1 a).

Listed in settings.AUTH_PASSWORD_VALIDATORS, so the password change page, the
administrator's reset and `manage.py changepassword` all apply them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hotline.core import clock

CLASSES = (str.isupper, str.islower, str.isdigit, lambda ch: not ch.isalnum())


class CharacterClassValidator:
    """At least `min_classes` of: capitals, small letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(any(test(ch) for ch in password) for test in CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)s of: capital letters, small letters, "
            "digits and other characters."
        ) % {"n": self.min_classes}


class NotUsernameValidator:
    """The password may not contain the username, forwards or backwards."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        lowered = password.casefold()
        if len(username) >= 3 and (username in lowered or username[::-1] in lowered):
            raise ValidationError(self.get_help_text(), code="password_has_username")

    def get_help_text(self) -> str:
        return _("Your password may not contain your username.")


class HistoryValidator:
    """Not one of the user's last HOTLINE_PASSWORD_HISTORY passwords; records each new one."""

    def validate(self, password: str, user=None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        keep = settings.HOTLINE_PASSWORD_HISTORY
        earlier = list(user.password_history.values_list("password", flat=True)[:keep])
        if user.password:
            earlier.append(user.password)
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        from hotline.accounts.models import PasswordHistory, User

        now = clock.now()
        PasswordHistory.objects.create(user=user, password=user.password, at=now)
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        stale = user.password_history.values_list("pk", flat=True)[
            settings.HOTLINE_PASSWORD_HISTORY :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return _("Your password may not be one of your last %(n)s passwords.") % {
            "n": settings.HOTLINE_PASSWORD_HISTORY
        }
