"""The organisation directory: the tree of units that handle tickets (R-HM-11)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("People's government")
    CENTER = "center", _("Hotline centre")
    DEPARTMENT = "department", _("City department")
    DISTRICT = "district", _("District / county / zone")
    TOWN = "town", _("Town / street")
    UTILITY = "utility", _("Public utility")
    OFFICE = "office", _("Sub-office / station")
    COMMUNITY = "community", _("Community / village")


# Which kinds may sit directly under which (None: a root). Keeps the tree meaningful:
# a community belongs to a town or street, a town to a district or the city.
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    UnitKind.GOVERNMENT: {None, UnitKind.GOVERNMENT},
    UnitKind.CENTER: {None, UnitKind.GOVERNMENT},
    UnitKind.DEPARTMENT: {None, UnitKind.GOVERNMENT, UnitKind.DISTRICT},
    UnitKind.DISTRICT: {None, UnitKind.GOVERNMENT},
    UnitKind.TOWN: {None, UnitKind.GOVERNMENT, UnitKind.DISTRICT},
    UnitKind.COMMUNITY: {UnitKind.TOWN},
    UnitKind.OFFICE: {
        UnitKind.DEPARTMENT,
        UnitKind.DISTRICT,
        UnitKind.TOWN,
        UnitKind.UTILITY,
        UnitKind.CENTER,
    },
    UnitKind.UTILITY: {None, UnitKind.GOVERNMENT},
}


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(active=True)


class Unit(models.Model):
    """A government body, utility or office in the hotline's network.

    The head and deputy head with their phones are who the escalation ladder calls
    (R-SV-2); the liaison (联络员) is the everyday contact (KJ 二(二); KM 11).
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    service_hours = models.CharField(_("service hours"), max_length=100, blank=True)
    public_phone = models.CharField(_("public phone"), max_length=64, blank=True)
    liaison_name = models.CharField(_("liaison"), max_length=50, blank=True)
    liaison_phone = models.CharField(_("liaison phone"), max_length=64, blank=True)
    deputy_head_name = models.CharField(_("deputy head"), max_length=50, blank=True)
    deputy_head_phone = models.CharField(_("deputy head phone"), max_length=64, blank=True)
    head_name = models.CharField(_("head"), max_length=50, blank=True)
    head_phone = models.CharField(_("head phone"), max_length=64, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "code"]
        indexes = [models.Index(fields=["kind", "active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def may_lead(self) -> bool:
        """Residents' and villagers' committees assist but never lead (ZS 6, R-HM-11)."""
        return self.kind != UnitKind.COMMUNITY
