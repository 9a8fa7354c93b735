"""Every write to calendars and policies: permission, validation, one audit row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from hotline.accounts.permissions import Capability, require
from hotline.core.errors import Conflict, DomainError, NotFound
from hotline.core.models import audit
from hotline.sla import policies, policy_json, presets, schedule
from hotline.sla.models import (
    CalendarDay,
    CalendarSource,
    DeadlinePolicy,
    OfficialYear,
    PolicyVersion,
)


class ScheduleRejected(DomainError):
    code = "schedule_rejected"

    def __init__(self, errors: list[schedule.LineError]) -> None:
        super().__init__(
            gettext("Not saved: the holiday schedule has %(count)s errors") % {"count": len(errors)}
        )
        self.errors = errors


def calendar_override_set(*, actor, day: date, workday: bool, reason: str) -> CalendarDay:
    """Add or change a local adjustment: a local day off, an emergency closure, an extra
    working day (R-DL-1). It wins over the official schedule for that date."""
    require(actor, Capability.MANAGE)
    reason = reason.strip()
    if not reason:
        raise DomainError(
            gettext("Give a reason, e.g. “typhoon closure”, “local holiday”, “make-up working day”")
        )
    with transaction.atomic():
        row, created = CalendarDay.objects.update_or_create(
            day=day,
            source=CalendarSource.OVERRIDE,
            defaults={"workday": workday, "reason": reason[:50], "created_by": actor},
        )
        audit(
            kind="calendar_override_set",
            actor=actor,
            object_type="date",
            object_id=day.isoformat(),
            workday=workday,
            reason=reason,
            created=created,
        )
    return row


def calendar_override_remove(*, actor, day: date) -> None:
    require(actor, Capability.MANAGE)
    with transaction.atomic():
        deleted, _ = CalendarDay.objects.filter(day=day, source=CalendarSource.OVERRIDE).delete()
        if not deleted:
            raise NotFound(gettext("%(day)s has no local adjustment") % {"day": day})
        audit(
            kind="calendar_override_removed",
            actor=actor,
            object_type="date",
            object_id=day.isoformat(),
        )


def official_year_enter(*, actor, year: int, text: str, notice: str = "") -> OfficialYear:
    """Enter a year's whole State Council schedule; replaces what was there, at once."""
    require(actor, Capability.MANAGE)
    if not 2004 <= year <= 2035:
        raise DomainError(gettext("The year must be between 2004 and 2035"))
    marks, errors = schedule.parse_schedule(text, year)
    if errors:
        raise ScheduleRejected(errors)
    with transaction.atomic():
        CalendarDay.objects.filter(source=CalendarSource.OFFICIAL, day__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                day=m.day,
                workday=m.workday,
                reason=m.reason,
                source=CalendarSource.OFFICIAL,
                created_by=actor,
            )
            for m in marks
        )
        entry, _ = OfficialYear.objects.update_or_create(
            year=year, defaults={"notice": notice[:200], "entered_by": actor}
        )
        audit(
            kind="official_year_entered",
            actor=actor,
            object_type="year",
            object_id=year,
            days=len(marks),
            notice=notice,
        )
    return entry


def _add_version(
    *, actor, policy: DeadlinePolicy, data: dict[str, Any], note: str
) -> PolicyVersion:
    checked = policy_json.from_dict(data)  # PolicyError: a translated message and a code
    if checked.missing_parameters():
        names = "、".join(p.label for p in checked.missing_parameters())
        raise DomainError(gettext("Fill in the parameters first: %(names)s") % {"names": names})
    last = policy.versions.aggregate(n=Max("number"))["n"] or 0
    version = PolicyVersion.objects.create(
        policy=policy,
        number=last + 1,
        data=policy_json.to_dict(checked),
        note=note[:200],
        created_by=actor,
    )
    audit(
        kind="policy_version_created",
        actor=actor,
        object_type="policy",
        object_id=policy.code,
        number=version.number,
        note=note,
    )
    return version


def policy_install_preset(
    *, actor, code: str, parameters: dict[str, float | None] | None = None
) -> PolicyVersion:
    """Install one of the five regulations' presets as a policy (version 1)."""
    require(actor, Capability.MANAGE)
    preset = presets.PRESETS.get(code)
    if preset is None:
        raise NotFound(gettext("No preset %(code)s") % {"code": code})
    try:
        filled = preset.with_parameters(parameters or {})
    except policies.PolicyError as exc:
        raise DomainError(str(exc), code=exc.code) from None
    with transaction.atomic():
        if DeadlinePolicy.objects.filter(code=code).exists():
            raise Conflict(
                gettext("Policy %(code)s exists already; change it on its page (a new version)")
                % {"code": code}
            )
        policy = DeadlinePolicy.objects.create(code=code, name=preset.name)
        return _add_version(
            actor=actor,
            policy=policy,
            data=policy_json.to_dict(filled),
            note=gettext("Created from the preset"),
        )


def policy_version_create(
    *, actor, policy: DeadlinePolicy, data: dict[str, Any], note: str, based_on: int | None = None
) -> PolicyVersion:
    """Editing a policy makes a new version; versions in use never change.

    `based_on` is the version the editor started from: if someone saved in between,
    the later save is refused instead of silently overwriting their change.
    """
    require(actor, Capability.MANAGE)
    if not note.strip():
        raise DomainError(gettext("Say why you make this change"))
    try:
        with transaction.atomic():
            locked = DeadlinePolicy.objects.select_for_update().get(pk=policy.pk)
            last = locked.versions.aggregate(n=Max("number"))["n"] or 0
            if based_on is not None and based_on != last:
                raise Conflict(
                    gettext(
                        "Someone else changed the policy to version %(last)s; reload and try again"
                    )
                    % {"last": last}
                )
            data = {**data, "code": locked.code}
            return _add_version(actor=actor, policy=locked, data=data, note=note)
    except policies.PolicyError as exc:
        raise DomainError(str(exc), code=exc.code) from None


def policy_set_default(*, actor, policy: DeadlinePolicy) -> None:
    require(actor, Capability.MANAGE)
    with transaction.atomic():
        DeadlinePolicy.objects.select_for_update().filter(is_default=True).update(is_default=False)
        DeadlinePolicy.objects.filter(pk=policy.pk).update(is_default=True)
        audit(kind="policy_default_set", actor=actor, object_type="policy", object_id=policy.code)
