"""The people who ask, and the record of those who abuse the line."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.masking import mask_citizen_contact, mask_name

USER = settings.AUTH_USER_MODEL


class Citizen(models.Model):
    """The person or organisation asking (诉求人)."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    # Phone intake always has a phone; a citizen who wrote by mail or WeChat only has an
    # e-mail or an openid instead (issue 13), each answered and masked in its own way.
    phone = models.CharField(_("phone"), max_length=32, db_index=True, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, db_index=True)
    wechat_openid = models.CharField(_("WeChat user"), max_length=64, blank=True, db_index=True)
    address = models.CharField(_("address or work unit"), max_length=200, blank=True)
    prefers_confidential = models.BooleanField(_("asks for confidentiality"), default=False)
    created_at = models.DateTimeField(_("first contact"), default=clock.now)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        # Masked: a caller's name or phone shown in full goes through tickets.selectors.
        # citizen_for, which checks the role and logs the view (issue 14 items 3, 4).
        return mask_name(self.name) or mask_citizen_contact(self)


class AbuseRecord(models.Model):
    """False reports, harassment, threats, repeated malicious calls (R-IN-5, KM 25-26)."""

    class Kind(models.TextChoices):
        FALSE_REPORT = "false_report", _("Deliberately false report")
        HARASSMENT = "harassment", _("Harassment")
        INSULT = "insult", _("Insults or threats to staff")
        REPEATED = "repeated", _("Repeated calls on an answered matter")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="abuse_records", verbose_name=_("citizen")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=clock.now)
    by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("abuse record")
        verbose_name_plural = _("abuse records")

    def __str__(self) -> str:
        return f"{self.citizen} {self.kind}"
