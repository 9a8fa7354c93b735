"""The citizen-facing windows around handling, as data (R-UN-4, R-FB-2).

Pure: no Django, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.sla.i18n import gettext, gettext_lazy
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
        (gettext_lazy("The time to contact the citizen"), follow_up.contact_within),
        (gettext_lazy("The time to visit"), follow_up.visit_within),
        (gettext_lazy("The wait before another visit attempt"), follow_up.retry_after),
    ):
        if period.unit == PeriodUnit.CATALOG or period.parameter:
            raise PolicyError(
                gettext("%(what)s must be a fixed number of working days or hours")
                % {"what": label}
            )
        if period.amount is None or period.amount <= 0:
            raise PolicyError(gettext("%(what)s must be greater than 0") % {"what": label})
        if period.unit == PeriodUnit.WORKING_DAYS and not float(period.amount).is_integer():
            raise PolicyError(gettext("%(what)s in working days must be whole") % {"what": label})
    if not 1 <= follow_up.max_attempts <= 10:
        raise PolicyError(gettext("The most visit attempts must be between 1 and 10"))
