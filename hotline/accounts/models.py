"""Users, their role and their unit (one each)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock

if TYPE_CHECKING:
    from hotline.directory.models import Unit


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    UNIT_CLERK = "unit_clerk", _("Unit clerk")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    VISITOR = "visitor", _("Return visitor")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    CITY_LEADER = "city_leader", _("City leader")
    ADMIN = "admin", _("Administrator")


UNIT_ROLES = frozenset({Role.UNIT_CLERK, Role.UNIT_LEADER})


class HotlineUserManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)

    def unit_staff(self, *units: Unit | int) -> models.QuerySet[User]:
        """The active staff of the units (Unit rows or ids) who work their tickets: their
        clerks and leaders, who get the unit's inbox messages, reminders and notices."""
        return self.filter(unit__in=units, is_active=True, role__in=UNIT_ROLES)


class User(AbstractUser):
    """A member of staff. The role decides what they may do (accounts.permissions)."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    operator_no = models.CharField(
        _("operator number"),
        max_length=16,
        blank=True,
        help_text=_("Work number operators answer under (编号上岗)."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator resets the password."),
    )

    objects: ClassVar[HotlineUserManager] = HotlineUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["operator_no"],
                condition=~models.Q(operator_no=""),
                name="accounts_user_operator_no_unique",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in UNIT_ROLES and not self.unit_id:
            raise ValidationError(
                {"unit": _("Unit clerks and unit leaders must belong to a unit.")}
            )
        if self.role == Role.OPERATOR and not self.operator_no:
            raise ValidationError({"operator_no": _("Operators need an operator number.")})


class LoginFailure(models.Model):
    """One failed login; recent rows lock the username (accounts.services.login_locked)."""

    username = models.CharField(max_length=150, db_index=True, verbose_name=_("username"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    at = models.DateTimeField(default=clock.now, db_index=True, verbose_name=_("at"))

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class PasswordHistory(models.Model):
    """A user's earlier password hashes: a new password may not repeat the last few
    (accounts.passwords.HistoryValidator; 等保 8.1.4.1 a)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d}"
