"""The citizen-facing windows around handling, as data (R-UN-4, R-FB-2).

Pure: no Django, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.sla.periods import Period, PeriodUnit, PolicyError, working_days


@dataclass(frozen=True)
class FollowUp:
    """The citizen-facing windows around handling (R-UN-4, R-FB-2).

    `contact_within`: the unit contacts the citizen within this period after signing
    (ZS 20(一) "及时联系诉求人"; the number is the city's choice) - the response rate.
    `visit_within`: the hotline's return visit within this period after completion.
    A failed visit (no answer, switched off, refused, wrong number) is tried again after
    `retry_after`; after `max_attempts` failed calls the ticket counts as not visited.
    """

    contact_within: Period = field(default_factory=lambda: working_days(1))
    visit_within: Period = field(default_factory=lambda: working_days(3))
    retry_after: Period = field(default_factory=lambda: Period(PeriodUnit.WORKING_HOURS, 4))
    max_attempts: int = 3
    citation: str = ""


DEFAULT_FOLLOW_UP = FollowUp()


def validate_follow_up(follow_up: FollowUp) -> None:
    for label, period in (
        ("联系诉求人时限", follow_up.contact_within),
        ("回访时限", follow_up.visit_within),
        ("回访重试间隔", follow_up.retry_after),
    ):
        if period.unit == PeriodUnit.CATALOG or period.parameter:
            raise PolicyError(f"{label}须为固定的工作日或小时数")
        if period.amount is None or period.amount <= 0:
            raise PolicyError(f"{label}必须大于 0")
        if period.unit == PeriodUnit.WORKING_DAYS and not float(period.amount).is_integer():
            raise PolicyError(f"{label}按工作日计时须为整数")
    if not 1 <= follow_up.max_attempts <= 10:
        raise PolicyError("回访最多尝试次数须在 1 到 10 之间")
