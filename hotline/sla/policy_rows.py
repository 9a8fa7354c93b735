"""The policy page's tables in words: each rule's periods, reminders and extensions, and
the clock's settings (the detail page of `sla.views`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from hotline.sla import policies
from hotline.sla.policies import (
    CLOCK_START_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    URGENCY_LABELS,
    Period,
)


def _period(period: Period | None, policy: policies.Policy) -> str:
    return period.describe(policy.parameter_values) if period else "—"


def rule_rows(policy: policies.Policy) -> list[dict[str, Any]]:
    rows = []
    sep, every = _(", "), _("All")
    for rule in policy.rules:
        rows.append(
            {
                "rule": rule,
                "kinds": sep.join(str(KIND_LABELS[k]) for k in rule.kinds) or every,
                "modes": sep.join(str(MODE_LABELS[m]) for m in rule.modes) or every,
                "urgencies": sep.join(str(URGENCY_LABELS[u]) for u in rule.urgencies) or every,
                "sign": _period(rule.sign, policy),
                "reply": _period(rule.reply, policy),
                "reminders": sep.join(
                    _("%(days)s working days before") % {"days": policies.format_number(x)}
                    for x in rule.reminder_leads
                )
                or "—",
                "return_window": _period(rule.return_window, policy)
                if rule.return_window
                else _("Within the handling time"),
                "extension": (
                    (
                        _("May be asked for, at most %(period)s")
                        % {"period": _period(rule.extension_max, policy)}
                        if rule.extension_max
                        else _("May be asked for")
                    )
                    if rule.extension_allowed
                    else _("Not allowed as a rule")
                ),
            }
        )
    return rows


def clock_rows(policy: policies.Policy) -> list[tuple[str, str]]:
    clock_policy = policy.clock
    return [
        (
            _("Day of receipt"),
            _("Counted")
            if clock_policy.count_receipt_day
            else _("Not counted, the count starts the next day"),
        ),
        (
            _("Cut-off time for receipt"),
            clock_policy.cutoff.strftime("%H:%M") if clock_policy.cutoff else "—",
        ),
        (_("Working hours"), f"{clock_policy.day_start:%H:%M}–{clock_policy.day_end:%H:%M}"),
        (
            _("After a return is approved (new unit)"),
            str(CLOCK_START_LABELS[clock_policy.on_return_approved]),
        ),
        (_("Return refused"), str(CLOCK_START_LABELS[clock_policy.on_return_refused])),
        (
            _("Completion review failed"),
            str(CLOCK_START_LABELS[clock_policy.on_completion_refused]),
        ),
        (_("Redo"), str(CLOCK_START_LABELS[clock_policy.on_redo])),
        (
            _("Hotline review time"),
            _("Counted in the handling time")
            if clock_policy.review_time_counted
            else _("Not counted in the handling time"),
        ),
    ]
