"""Policies as versioned JSON and back (`to_dict` / `from_dict`), checked on the way in.

Pure: no Django, no clock. Once a ticket uses a stored version it never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from hotline.sla.i18n import gettext
from hotline.sla.policies import (
    DEFAULT_FOLLOW_UP,
    DEFAULT_LADDER,
    ClockPolicy,
    ClockStart,
    Contact,
    FollowUp,
    Kind,
    Mode,
    Parameter,
    Period,
    PeriodUnit,
    Policy,
    PolicyError,
    Rule,
    Rung,
    RungAnchor,
    RungMeasure,
    Urgency,
    working_days,
)


def _count_from(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and not value.is_integer():
        raise PolicyError(gettext("The number of extensions must be whole"))
    count = int(value)
    if count < 0:
        raise PolicyError(gettext("The number of extensions must not be negative"))
    return count


def _hours_from(data: Mapping[str, Any], key: str, default: float) -> float:
    value = float(data.get(key, default))
    if not 0 < value <= 24 * 30:
        raise PolicyError(gettext("%(name)s must be between 0 and 720 hours") % {"name": key})
    return value


def _period_to(period: Period | None) -> dict[str, Any] | None:
    if period is None:
        return None
    data: dict[str, Any] = {"unit": period.unit.value}
    if period.amount is not None:
        data["amount"] = period.amount
    if period.parameter:
        data["parameter"] = period.parameter
    return data


def _period_from(data: Any) -> Period | None:
    if data is None:
        return None
    try:
        unit = PeriodUnit(data["unit"])
    except (KeyError, ValueError, TypeError):
        raise PolicyError(
            gettext("Unrecognised period: %(value)s") % {"value": repr(data)}
        ) from None
    amount = data.get("amount")
    return Period(unit, float(amount) if amount is not None else None, data.get("parameter", ""))


def _time_to(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _time_from(value: str | None) -> time | None:
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise PolicyError(gettext("Unrecognised time: %(value)s") % {"value": value}) from None


def to_dict(policy: Policy) -> dict[str, Any]:
    clock = policy.clock
    return {
        "code": policy.code,
        "name": policy.name,
        "source": policy.source,
        "clock": {
            "count_receipt_day": clock.count_receipt_day,
            "cutoff": _time_to(clock.cutoff),
            "day_start": _time_to(clock.day_start),
            "day_end": _time_to(clock.day_end),
            "on_return_approved": clock.on_return_approved.value,
            "on_return_refused": clock.on_return_refused.value,
            "on_completion_refused": clock.on_completion_refused.value,
            "on_redo": clock.on_redo.value,
            "review_time_counted": clock.review_time_counted,
            "citation": clock.citation,
            "dispatch_hours": clock.dispatch_hours,
            "urgent_dispatch_hours": clock.urgent_dispatch_hours,
            "review_hours": clock.review_hours,
        },
        "parameters": [
            {"name": p.name, "label": p.label, "value": p.value, "required": p.required}
            for p in policy.parameters
        ],
        "rules": [
            {
                "key": r.key,
                "label": r.label,
                "kinds": [k.value for k in r.kinds],
                "modes": [m.value for m in r.modes],
                "urgencies": [u.value for u in r.urgencies],
                "sign": _period_to(r.sign),
                "reply": _period_to(r.reply),
                "reminder_leads": list(r.reminder_leads),
                "return_window": _period_to(r.return_window),
                "extension_allowed": r.extension_allowed,
                "extension_max": _period_to(r.extension_max),
                "extension_max_count": r.extension_max_count,
                "instruction_may_set_deadline": r.instruction_may_set_deadline,
                "report_any_time": r.report_any_time,
                "citation": r.citation,
                "note": r.note,
            }
            for r in policy.rules
        ],
        "ladder": [ladder_rung_to(rung) for rung in policy.ladder],
        "follow_up": follow_up_to(policy.follow_up),
    }


def follow_up_to(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "contact_within": _period_to(follow_up.contact_within),
        "visit_within": _period_to(follow_up.visit_within),
        "retry_after": _period_to(follow_up.retry_after),
        "max_attempts": follow_up.max_attempts,
        "citation": follow_up.citation,
    }


def follow_up_from(data: Mapping[str, Any]) -> FollowUp:
    """The follow-up windows from JSON; a missing key keeps the default."""
    d = DEFAULT_FOLLOW_UP
    return FollowUp(
        contact_within=_period_from(data.get("contact_within")) or d.contact_within,
        visit_within=_period_from(data.get("visit_within")) or d.visit_within,
        retry_after=_period_from(data.get("retry_after")) or d.retry_after,
        max_attempts=int(data.get("max_attempts", d.max_attempts)),
        citation=str(data.get("citation", "")),
    )


def ladder_rung_to(rung: Rung) -> dict[str, Any]:
    return {
        "key": rung.key,
        "label": rung.label,
        "action": rung.measure.value,
        "wait": _period_to(rung.wait),
        "anchor": rung.anchor.value,
        "by": rung.by.value if rung.by else None,
        "to": [c.value for c in rung.to],
        "issuer": rung.issuer,
        "number_word": rung.number_word,
        "only_without_extension": rung.only_without_extension,
        "min_reminders": rung.min_reminders,
        "citation": rung.citation,
    }


def ladder_rung_from(data: Mapping[str, Any]) -> Rung:
    """One rung from JSON; KeyError / ValueError / TypeError on bad data."""
    return Rung(
        key=str(data["key"]),
        label=str(data.get("label", data["key"])),
        measure=RungMeasure(data["action"]),
        wait=_period_from(data.get("wait")) or working_days(0),
        anchor=RungAnchor(data.get("anchor", "previous")),
        by=Contact(data["by"]) if data.get("by") else None,
        to=tuple(Contact(c) for c in data.get("to", [])),
        issuer=str(data.get("issuer", "")),
        number_word=str(data.get("number_word", "")),
        only_without_extension=bool(data.get("only_without_extension", False)),
        min_reminders=int(data.get("min_reminders", 0)),
        citation=str(data.get("citation", "")),
    )


def from_dict(data: Mapping[str, Any]) -> Policy:
    """Build and validate a policy from its JSON form; PolicyError on any problem."""
    try:
        clock_data = data.get("clock", {})
        clock = ClockPolicy(
            count_receipt_day=bool(clock_data.get("count_receipt_day", False)),
            cutoff=_time_from(clock_data.get("cutoff")),
            day_start=_time_from(clock_data.get("day_start")) or time(8, 30),
            day_end=_time_from(clock_data.get("day_end")) or time(17, 30),
            on_return_approved=ClockStart(clock_data.get("on_return_approved", "restart")),
            on_return_refused=ClockStart(clock_data.get("on_return_refused", "first_receipt")),
            on_completion_refused=ClockStart(
                clock_data.get("on_completion_refused", "first_receipt")
            ),
            on_redo=ClockStart(clock_data.get("on_redo", "restart")),
            review_time_counted=bool(clock_data.get("review_time_counted", False)),
            citation=str(clock_data.get("citation", "")),
            dispatch_hours=_hours_from(clock_data, "dispatch_hours", 2.0),
            urgent_dispatch_hours=_hours_from(clock_data, "urgent_dispatch_hours", 0.5),
            review_hours=_hours_from(clock_data, "review_hours", 24.0),
        )
        rules = tuple(
            Rule(
                key=str(r["key"]),
                label=str(r["label"]),
                kinds=tuple(Kind(k) for k in r.get("kinds", [])),
                modes=tuple(Mode(m) for m in r.get("modes", [])),
                urgencies=tuple(Urgency(u) for u in r.get("urgencies", [])),
                sign=_period_from(r.get("sign")),
                reply=_period_from(r["reply"]) or working_days(0),
                reminder_leads=tuple(float(x) for x in r.get("reminder_leads", [])),
                return_window=_period_from(r.get("return_window")),
                extension_allowed=bool(r.get("extension_allowed", True)),
                extension_max=_period_from(r.get("extension_max")),
                extension_max_count=_count_from(r.get("extension_max_count")),
                instruction_may_set_deadline=bool(r.get("instruction_may_set_deadline", False)),
                report_any_time=bool(r.get("report_any_time", False)),
                citation=str(r.get("citation", "")),
                note=str(r.get("note", "")),
            )
            for r in data["rules"]
        )
        parameters = tuple(
            Parameter(
                name=str(p["name"]),
                label=str(p.get("label", p["name"])),
                value=float(p["value"]) if p.get("value") is not None else None,
                required=bool(p.get("required", True)),
            )
            for p in data.get("parameters", [])
        )
        # Versions stored before the ladder existed get the default (KJ) ladder.
        ladder = (
            tuple(ladder_rung_from(r) for r in data["ladder"])
            if "ladder" in data
            else DEFAULT_LADDER
        )
        # Versions stored before the follow-up windows existed get the defaults.
        follow_up = follow_up_from(data.get("follow_up") or {})
        policy = Policy(
            code=str(data["code"]),
            name=str(data["name"]),
            source=str(data.get("source", "")),
            rules=rules,
            clock=clock,
            parameters=parameters,
            ladder=ladder,
            follow_up=follow_up,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PolicyError):
            raise
        raise PolicyError(
            gettext("The policy data is incomplete or malformed: %(error)s") % {"error": exc}
        ) from None
    policy.validate()
    return policy
