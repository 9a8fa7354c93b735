"""The organisation directory: the tree of units that handle tickets (R-HM-11), the
topic tree tickets are classified by (R-IN-3), and the dispatch catalog that maps a
matter to its handling unit, legal basis and deadline (R-HM-9)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


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
    def receives_tickets(self) -> bool:
        """The government itself and the hotline centre dispatch, they are not sent work."""
        return self.kind not in (UnitKind.GOVERNMENT, UnitKind.CENTER)

    @property
    def may_lead(self) -> bool:
        """Residents' and villagers' committees assist but never lead (ZS 6, R-HM-11)."""
        return self.kind != UnitKind.COMMUNITY


class TopicQuerySet(models.QuerySet["Topic"]):
    def active(self) -> TopicQuerySet:
        return self.filter(active=True)

    def with_path(self) -> TopicQuerySet:
        """Parents joined in, so `path` costs no further query."""
        return self.select_related("parent__parent")


class Topic(models.Model):
    """诉求分类: one node of the three-level topic tree kept beside the ticket type (R-IN-3).

    A level-1 topic has no parent; a level-2 topic sits under a level-1 topic, a level-3
    topic under a level-2 one. A code keeps its level for good; imports match by code.
    """

    MAX_LEVEL = 3

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=[(1, _("Level 1")), (2, _("Level 2")), (3, _("Level 3"))]
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=1) & Q(parent__isnull=True))
                | (Q(level__in=[2, 3]) & Q(parent__isnull=False)),
                name="directory_topic_level_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        """The names from the top, e.g. "城乡建设 > 住房 > 物业管理"."""
        names = [self.name]
        current = self.parent
        while current is not None and len(names) < self.MAX_LEVEL:
            names.append(current.name)
            current = current.parent
        return " > ".join(reversed(names))

    def clean(self) -> None:
        super().clean()
        if self.level is None:
            return
        if self.level == 1 and self.parent_id:
            raise ValidationError({"parent": _("A level-1 topic has no parent.")})
        if self.level > 1 and (self.parent is None or self.parent.level != self.level - 1):
            raise ValidationError(
                {
                    "parent": _("A level-%(level)s topic must sit under a level-%(parent)s topic.")
                    % {"level": self.level, "parent": self.level - 1}
                }
            )


KEYWORD_SPLIT_RE = re.compile(r"[,，、;；\n\r\t]+")


def split_keywords(text: str) -> list[str]:
    """Keywords as written: separated by commas, 、 or semicolons; blanks and repeats dropped."""
    words: list[str] = []
    seen: set[str] = set()
    for part in KEYWORD_SPLIT_RE.split(text or ""):
        word = part.strip()
        key = normalize_text(word)
        if word and key not in seen:
            seen.add(key)
            words.append(word)
    return words


def normalize_text(text: str) -> str:
    """For matching: full-width to half-width (NFKC) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


class CatalogItemQuerySet(models.QuerySet["CatalogItem"]):
    def in_force(self, on: date) -> CatalogItemQuerySet:
        """Active versions whose effective period contains the day `on`."""
        return self.filter(active=True, effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
        )


class CatalogItem(models.Model):
    """派单目录: one version of one matter in the dispatch catalog (R-HM-9).

    Matter name, legal basis, handling unit and deadline in working days; for towns and
    streets also the suggested internal office. Versions of the same code follow each
    other: a later `effective_from` closes the earlier version the day before. A
    residents' or villagers' committee is never the handling unit (ZS 6, R-HM-11).
    """

    code = models.CharField(_("code"), max_length=32)
    matter = models.CharField(_("matter"), max_length=200)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Separated by commas or 、.")
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalog_items",
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="catalog_items",
        limit_choices_to=~Q(kind=UnitKind.COMMUNITY),
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (working days)"))
    internal_office = models.CharField(_("internal office"), max_length=100, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CatalogItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="directory_catalogitem_code_from"
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__gt=0), name="directory_catalogitem_deadline_positive"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="directory_catalogitem_period",
            ),
        ]
        indexes = [models.Index(fields=["effective_from", "effective_to"])]

    def __str__(self) -> str:
        return f"{self.code} {self.matter}"

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    def in_force_on(self, day: date) -> bool:
        return (
            self.active
            and self.effective_from <= day
            and (self.effective_to is None or day <= self.effective_to)
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, StrOrPromise] = {}
        unit = self.unit if self.unit_id else None
        if unit is not None and not unit.may_lead:
            errors["unit"] = _(
                "A residents' or villagers' committee may assist but is never the handling "
                "unit (ZS 6)."
            )
        if unit is not None and unit.kind == UnitKind.TOWN and not self.internal_office:
            errors["internal_office"] = _(
                "For a town or street, name the suggested internal office (R-HM-9)."
            )
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)
