"""The escalation ladder's arithmetic and its address book (R-SV-2, R-SV-3).

`rung_moment` is pure (calendar and clock rules in, an aware datetime out); `contacts`
reads who is who from the directory: the hotline's own leadership is the directory entry
of the hotline centre (`UnitKind.CENTER`), the unit's from its own entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.sla.calendar import WorkCalendar
from hotline.sla.deadlines import SHANGHAI, ClockRules, add_working_hours
from hotline.sla.policies import Contact, Period, PeriodUnit, Rung, RungAnchor

CONTACT_LABELS = {
    Contact.HOTLINE_LIAISON: _("hotline liaison"),
    Contact.HOTLINE_DEPUTY_HEAD: _("hotline deputy head"),
    Contact.HOTLINE_HEAD: _("hotline head"),
    Contact.UNIT_LIAISON: _("unit liaison"),
    Contact.UNIT_DEPUTY_HEAD: _("unit deputy head"),
    Contact.UNIT_HEAD: _("unit head"),
    Contact.UNIT_STAFF: _("unit staff (in-app)"),
    Contact.SUPERVISORS: _("supervisors (in-app)"),
}


def rung_moment(
    calendar: WorkCalendar, rules: ClockRules, anchor: datetime, wait: Period
) -> datetime:
    """When a rung falls due `wait` after `anchor`.

    Working days: at the start of the Nth working day after the anchor's date (like
    reminders, which go out when the working day starts); 0: the anchor itself.
    Working hours: counted on working time. Natural hours: on the wall clock.
    """
    amount = wait.amount or 0
    if wait.unit == PeriodUnit.WORKING_DAYS:
        if amount <= 0:
            return anchor
        day = calendar.nth_workday_after(anchor.astimezone(SHANGHAI).date(), int(amount))
        return datetime.combine(day, rules.day_start, tzinfo=SHANGHAI)
    if wait.unit == PeriodUnit.WORKING_HOURS:
        due = add_working_hours(calendar, anchor, amount, rules).due
        assert due is not None  # no pauses given
        return due
    if wait.unit == PeriodUnit.NATURAL_HOURS:
        return anchor + timedelta(hours=amount)
    raise ValueError(f"a ladder wait cannot be {wait.unit}")


def anchor_of(rung: Rung, *, due: datetime, previous: datetime | None) -> datetime:
    if rung.anchor == RungAnchor.DUE or previous is None:
        return due
    return previous


@dataclass(frozen=True)
class Person:
    """A directory contact: a role, a name and a phone (SMS)."""

    role: Contact
    name: str
    phone: str
    unit_name: str


def hotline_unit():
    """The hotline centre's directory entry; its contacts are the hotline's leaders."""
    from hotline.directory.models import Unit, UnitKind

    return (
        Unit.objects.filter(kind=UnitKind.CENTER, active=True).order_by("sort_order", "id").first()
    )


def contact_person(role: Contact, *, unit, center) -> Person | None:
    source = center if role.value.startswith("hotline_") else unit
    if source is None:
        return None
    field = role.value.removeprefix("hotline_").removeprefix("unit_")
    if field not in ("liaison", "deputy_head", "head"):
        return None
    name = getattr(source, f"{field}_name", "")
    phone = getattr(source, f"{field}_phone", "")
    if not name and not phone:
        return None
    return Person(role=role, name=name, phone=phone, unit_name=source.name)


CITY_RE = re.compile(r"^(.+?[市县区旗])")


def city_name() -> str:
    """The city's name as documents use it ("青溪市"): settings.HOTLINE_CITY_NAME, else
    taken from the hotline centre's name in the directory."""
    configured = getattr(settings, "HOTLINE_CITY_NAME", "")
    if configured:
        return configured
    center = hotline_unit()
    match = CITY_RE.match(center.name) if center else None
    return match.group(1) if match else ""


def city_short() -> str:
    """ "青溪市" → "青溪" for document numbers; one-character names keep their suffix."""
    name = city_name()
    return name[:-1] if len(name) > 2 and name[-1] in "市县区旗" else name


def document_prefix(word: str) -> str:
    """青溪12345督: the city, the hotline and the rung's word."""
    return f"{city_short()}12345{word}"


def issuer_name(issuer: str) -> str:
    """The configured issuer with the city in front when it lacks it (行政审批局 →
    青溪市行政审批局)."""
    city = city_name()
    if not issuer:
        center = hotline_unit()
        return center.name if center else "12345"
    if city and not issuer.startswith(city_short()):
        return f"{city}{issuer}"
    return issuer


def local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
