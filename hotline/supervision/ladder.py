"""The escalation ladder's arithmetic and its address book (R-SV-2, R-SV-3).

`rung_moment` is pure (calendar and clock rules in, an aware datetime out); `contacts`
reads who is who from the directory: the hotline's own leadership is the directory entry
of the hotline centre (`UnitKind.CENTER`), the unit's from its own entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from hotline.directory.letterhead import city_name as city_name
from hotline.directory.letterhead import city_short, document_issuer
from hotline.directory.letterhead import hotline_unit as hotline_unit
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


def document_prefix(word: str) -> str:
    """青溪12345督: the city, the hotline and the rung's word."""
    return f"{city_short()}12345{word}"


def issuer_name(_issuer: str = "") -> str:
    """Every document is issued in one name (`directory.letterhead.document_issuer`); a
    rung's own `issuer` no longer changes it (issue 15 item 14)."""
    return document_issuer()
