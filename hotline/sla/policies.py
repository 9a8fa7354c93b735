"""Deadline policies: which periods apply to a ticket, as plain data (R-DL-2, R-DL-3).

Pure: no Django, no clock. A policy is a list of rules matched by ticket kind, handling
mode and urgency (first match wins), the clock rules, and named parameters for numbers a
regulation leaves blank (SR). Policies are stored as versioned JSON (`policy_json`); once
a ticket uses a version it never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time

from hotline.sla.follow_up import DEFAULT_FOLLOW_UP, FollowUp, validate_follow_up
from hotline.sla.i18n import gettext
from hotline.sla.periods import (
    CLOCK_START_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    UNIT_LABELS,
    URGENCY_LABELS,
    ClockStart,
    Kind,
    Mode,
    Period,
    PeriodUnit,
    PolicyError,
    Urgency,
    format_number,
    working_days,
)
from hotline.sla.rungs import (
    DEFAULT_LADDER,
    KJ_LADDER_CLAUSE,
    Contact,
    Rung,
    RungAnchor,
    RungMeasure,
    validate_ladder,
)

__all__ = [
    "CLOCK_START_LABELS",
    "DEFAULT_FOLLOW_UP",
    "DEFAULT_LADDER",
    "KIND_LABELS",
    "KJ_LADDER_CLAUSE",
    "MODE_LABELS",
    "UNIT_LABELS",
    "URGENCY_LABELS",
    "ClockPolicy",
    "ClockStart",
    "Contact",
    "FollowUp",
    "Kind",
    "Mode",
    "Parameter",
    "Period",
    "PeriodUnit",
    "Policy",
    "PolicyError",
    "Rule",
    "Rung",
    "RungAnchor",
    "RungMeasure",
    "Urgency",
    "format_number",
    "validate_follow_up",
    "validate_ladder",
    "working_days",
]


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    reply: Period
    kinds: tuple[Kind, ...] = ()  # empty: any
    modes: tuple[Mode, ...] = ()
    urgencies: tuple[Urgency, ...] = ()
    sign: Period | None = None
    reminder_leads: tuple[float, ...] = ()  # working days before the reply deadline
    return_window: Period | None = None  # None: a return is accepted until the deadline
    extension_allowed: bool = True
    extension_max: Period | None = None  # None: as the hotline approves
    extension_max_count: int | None = None  # how many extensions; None: no limit
    instruction_may_set_deadline: bool = False  # a leader's instruction may name its own
    report_any_time: bool = False  # major / urgent: report progress at any time
    citation: str = ""
    note: str = ""

    def matches(self, kind: Kind, mode: Mode, urgency: Urgency) -> bool:
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.modes or mode in self.modes)
            and (not self.urgencies or urgency in self.urgencies)
        )


@dataclass(frozen=True)
class ClockPolicy:
    """When the clock starts and what happens to it on a return, a refusal, a redo (R-DL-3)."""

    count_receipt_day: bool = False
    cutoff: time | None = None
    day_start: time = time(8, 30)
    day_end: time = time(17, 30)
    on_return_approved: ClockStart = ClockStart.RESTART
    on_return_refused: ClockStart = ClockStart.FIRST_RECEIPT
    on_completion_refused: ClockStart = ClockStart.FIRST_RECEIPT
    on_redo: ClockStart = ClockStart.RESTART
    review_time_counted: bool = False
    citation: str = ""
    # The hotline's own pace (natural hours, it works around the clock): a ticket waits at
    # most this long for dispatch, a unit's request or reply for the hotline's review;
    # past it the queues mark the row "派单超时" / "审核超时".
    dispatch_hours: float = 2.0
    urgent_dispatch_hours: float = 0.5
    review_hours: float = 24.0

    def dispatch_limit_hours(self, urgency: str) -> float:
        return self.urgent_dispatch_hours if urgency == Urgency.URGENT else self.dispatch_hours


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    value: float | None = None
    required: bool = True


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    source: str
    rules: tuple[Rule, ...]
    clock: ClockPolicy = field(default_factory=ClockPolicy)
    parameters: tuple[Parameter, ...] = ()
    ladder: tuple[Rung, ...] = DEFAULT_LADDER  # R-SV-2; empty: no escalation
    follow_up: FollowUp = DEFAULT_FOLLOW_UP  # R-UN-4, R-FB-2

    @property
    def parameter_values(self) -> dict[str, float | None]:
        return {p.name: p.value for p in self.parameters}

    def missing_parameters(self) -> list[Parameter]:
        return [p for p in self.parameters if p.required and p.value is None]

    def with_parameters(self, values: Mapping[str, float | None]) -> Policy:
        unknown = set(values) - {p.name for p in self.parameters}
        if unknown:
            raise PolicyError(
                gettext("Unknown parameters: %(names)s") % {"names": ", ".join(sorted(unknown))}
            )
        params = tuple(replace(p, value=values.get(p.name, p.value)) for p in self.parameters)
        return replace(self, parameters=params)

    def rule_for(self, kind: Kind, mode: Mode, urgency: Urgency = Urgency.NORMAL) -> Rule:
        for rule in self.rules:
            if rule.matches(kind, mode, urgency):
                return rule
        raise PolicyError(
            gettext("Policy %(code)s has no rule for %(kind)s/%(mode)s/%(urgency)s")
            % {
                "code": self.code,
                "kind": KIND_LABELS[kind],
                "mode": MODE_LABELS[mode],
                "urgency": URGENCY_LABELS[urgency],
            },
            code="policy_incomplete",
        )

    def resolve(self, period: Period, *, catalog_days: float | None = None) -> Period:
        """The period with its amount filled in from a parameter or the catalog item."""
        if period.unit == PeriodUnit.CATALOG:
            if catalog_days is None:
                raise PolicyError(
                    gettext(
                        "The rule takes its deadline from the dispatch catalog, but the ticket "
                        "has no dispatch catalog item"
                    ),
                    code="policy_incomplete",
                )
            return working_days(catalog_days)
        if period.parameter:
            value = self.parameter_values.get(period.parameter)
            if value is None:
                raise PolicyError(
                    gettext("Parameter %(parameter)s of policy %(code)s is not filled in yet")
                    % {"parameter": period.parameter, "code": self.code},
                    code="policy_incomplete",
                )
            return replace(period, amount=value, parameter="")
        return period

    def validate(self) -> None:
        """Raise PolicyError for anything that would break deadline computation."""
        if not self.rules:
            raise PolicyError(gettext("A policy needs at least one rule"))
        names = {p.name for p in self.parameters}
        keys: set[str] = set()
        for rule in self.rules:
            if rule.key in keys:
                raise PolicyError(gettext("Rule key %(key)s is repeated") % {"key": rule.key})
            keys.add(rule.key)
            for period in (rule.sign, rule.reply, rule.return_window, rule.extension_max):
                if period is None:
                    continue
                if period.parameter and period.parameter not in names:
                    raise PolicyError(
                        gettext(
                            "Rule “%(rule)s” refers to a parameter that does not exist: %(name)s"
                        )
                        % {"rule": rule.label, "name": period.parameter}
                    )
                fixed = period.unit != PeriodUnit.CATALOG and not period.parameter
                if fixed and (period.amount is None or period.amount < 0):
                    raise PolicyError(
                        gettext("The deadlines of rule “%(rule)s” must not be negative")
                        % {"rule": rule.label}
                    )
            if any(lead <= 0 for lead in rule.reminder_leads):
                raise PolicyError(
                    gettext("The reminder leads of rule “%(rule)s” must be greater than 0")
                    % {"rule": rule.label}
                )
        for kind in Kind:
            for mode in Mode:
                self.rule_for(kind, mode, Urgency.NORMAL)
        if self.clock.day_start >= self.clock.day_end:
            raise PolicyError(gettext("The working day must start before it ends"))
        validate_ladder(self.ladder)
        validate_follow_up(self.follow_up)
