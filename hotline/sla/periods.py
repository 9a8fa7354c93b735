"""The vocabulary of deadline policies: kinds, modes, urgencies, and periods (R-DL-2).

Pure: no Django, no clock. `hotline.sla.policies` builds rules and policies from these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


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


KIND_LABELS = {
    Kind.CONSULT: "咨询",
    Kind.HELP: "求助",
    Kind.COMPLAINT: "投诉",
    Kind.REPORT: "举报",
    Kind.SUGGEST: "建议",
}
MODE_LABELS = {Mode.PHONE: "电话交办", Mode.WRITTEN: "书面交办", Mode.INSTRUCTION: "领导批办"}
URGENCY_LABELS = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急"}
UNIT_LABELS = {
    PeriodUnit.WORKING_DAYS: "个工作日",
    PeriodUnit.WORKING_HOURS: "个工作小时",
    PeriodUnit.NATURAL_HOURS: "小时（自然时）",
    PeriodUnit.CATALOG: "按派单目录",
}
CLOCK_START_LABELS = {
    ClockStart.RESTART: "重新计算",
    ClockStart.FIRST_RECEIPT: "自首次接到工单起计算",
}


class PolicyError(ValueError):
    """A policy that cannot be used; the message is Chinese and names the problem."""


@dataclass(frozen=True)
class Period:
    unit: PeriodUnit
    amount: float | None = None
    parameter: str = ""  # take the amount from this policy parameter (SR's blanks)

    def describe(self, parameters: Mapping[str, float | None] | None = None) -> str:
        if self.unit == PeriodUnit.CATALOG:
            return UNIT_LABELS[self.unit]
        amount = self.amount
        if self.parameter:
            amount = (parameters or {}).get(self.parameter)
            if amount is None:
                return f"[{self.parameter}]{UNIT_LABELS[self.unit]}"
        return f"{format_number(amount)}{UNIT_LABELS[self.unit]}"


def format_number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


def working_days(amount: float) -> Period:
    return Period(PeriodUnit.WORKING_DAYS, amount)
