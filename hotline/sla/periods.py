"""The vocabulary of deadline policies: kinds, modes, urgencies, and periods (R-DL-2).

Pure: no Django, no clock. `hotline.sla.policies` builds rules and policies from these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hotline.sla.i18n import gettext_lazy


class Kind(StrEnum):
    CONSULT = "consult"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    SUGGEST = "suggest"  # 建议 (意见 goes with it, KJ)


class Mode(StrEnum):
    PHONE = "phone"  # 电话交办
    WRITTEN = "written"  # 书面 / 网络交办
    INSTRUCTION = "instruction"  # 领导批办


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class PeriodUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    NATURAL_HOURS = "natural_hours"
    CATALOG = "catalog"  # the dispatch catalog item's deadline (ZS 15)


class ClockStart(StrEnum):
    RESTART = "restart"  # counts afresh from the new dispatch
    FIRST_RECEIPT = "first_receipt"  # counts from the unit's first receipt


# Interface labels: English msgids, Chinese in the catalogue; `str()` them where they are
# joined or serialised (they translate when read, see hotline.sla.i18n).
KIND_LABELS = {
    Kind.CONSULT: gettext_lazy("Consultation"),
    Kind.HELP: gettext_lazy("Help"),
    Kind.COMPLAINT: gettext_lazy("Complaint"),
    Kind.REPORT: gettext_lazy("Report"),
    Kind.SUGGEST: gettext_lazy("Suggestion"),
}
MODE_LABELS = {
    Mode.PHONE: gettext_lazy("Phone assignment"),
    Mode.WRITTEN: gettext_lazy("Written assignment"),
    Mode.INSTRUCTION: gettext_lazy("Leader instruction"),
}
URGENCY_LABELS = {Urgency.NORMAL: gettext_lazy("Normal"), Urgency.URGENT: gettext_lazy("Urgent")}
UNIT_LABELS = {
    PeriodUnit.WORKING_DAYS: gettext_lazy("working days"),
    PeriodUnit.WORKING_HOURS: gettext_lazy("working hours"),
    PeriodUnit.NATURAL_HOURS: gettext_lazy("hours (natural time)"),
    PeriodUnit.CATALOG: gettext_lazy("as the dispatch catalog says"),
}
# A period in words: "3 working days" / "3个工作日".
AMOUNT_IN_UNIT = {
    PeriodUnit.WORKING_DAYS: gettext_lazy("%(amount)s working days"),
    PeriodUnit.WORKING_HOURS: gettext_lazy("%(amount)s working hours"),
    PeriodUnit.NATURAL_HOURS: gettext_lazy("%(amount)s hours (natural time)"),
}
CLOCK_START_LABELS = {
    ClockStart.RESTART: gettext_lazy("Counted afresh"),
    ClockStart.FIRST_RECEIPT: gettext_lazy("Counted from the first receipt of the ticket"),
}


class PolicyError(ValueError):
    """A policy that cannot be used; the message names the problem (translated when
    raised). `code` is what the API reports: "policy_incomplete" for a blank that the city
    or the ticket must fill (a parameter, a catalog item, a rule), else "policy_invalid"."""

    def __init__(self, message: str, *, code: str = "policy_invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Period:
    unit: PeriodUnit
    amount: float | None = None
    parameter: str = ""  # take the amount from this policy parameter (SR's blanks)

    def describe(self, parameters: Mapping[str, float | None] | None = None) -> str:
        if self.unit == PeriodUnit.CATALOG:
            return str(UNIT_LABELS[self.unit])
        amount = self.amount
        shown = format_number(amount)
        if self.parameter:
            amount = (parameters or {}).get(self.parameter)
            shown = format_number(amount) if amount is not None else f"[{self.parameter}]"
        return str(AMOUNT_IN_UNIT[self.unit]) % {"amount": shown}


def format_number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


def working_days(amount: float) -> Period:
    return Period(PeriodUnit.WORKING_DAYS, amount)
