"""Deadline policies: which periods apply to a ticket, as plain data (R-DL-2, R-DL-3).

Pure: no Django, no clock. A policy is a list of rules matched by ticket kind, handling
mode and urgency (first match wins), the clock rules, and named parameters for numbers a
regulation leaves blank (SR). Policies are stored as versioned JSON (`to_dict` /
`from_dict`); once a ticket uses a version it never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from enum import StrEnum
from typing import Any


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


def _count_from(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and not value.is_integer():
        raise PolicyError("延期次数必须是整数")
    count = int(value)
    if count < 0:
        raise PolicyError("延期次数不能为负数")
    return count


def _hours_from(data: Mapping[str, Any], key: str, default: float) -> float:
    value = float(data.get(key, default))
    if not 0 < value <= 24 * 30:
        raise PolicyError(f"{key} 必须在 0 到 720 小时之间")
    return value


def format_number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


def working_days(amount: float) -> Period:
    return Period(PeriodUnit.WORKING_DAYS, amount)


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


# --- the escalation ladder (R-SV-2, R-SV-3) ----------------------------------------------


class RungAction(StrEnum):
    URGE = "urge"  # a hotline leader urges a unit leader (催办, by phone and SMS)
    LETTER = "letter"  # a numbered supervision letter (督办函)
    RECOMMENDATION = "recommendation"  # efficiency supervision recommendation (效能监察建议书)
    CRITICISM = "criticism"  # entered on the public criticism list (通报批评)


class RungAnchor(StrEnum):
    PREVIOUS = "previous"  # the wait counts from the rung before (the first: the deadline)
    DUE = "due"  # the wait counts from the reply deadline


class Contact(StrEnum):
    """Who a rung tells: contacts of the directory (SMS) or users (in-app)."""

    HOTLINE_LIAISON = "hotline_liaison"  # the hotline centre unit's contacts in the directory
    HOTLINE_DEPUTY_HEAD = "hotline_deputy_head"  # 热线办分管领导
    HOTLINE_HEAD = "hotline_head"  # 热线办主要负责人
    UNIT_LIAISON = "unit_liaison"  # the handling unit's contacts in the directory
    UNIT_DEPUTY_HEAD = "unit_deputy_head"  # 承办单位分管领导
    UNIT_HEAD = "unit_head"  # 承办单位主要负责人
    UNIT_STAFF = "unit_staff"  # in-app: the unit's clerks and leaders
    SUPERVISORS = "supervisors"  # in-app: the hotline's supervisors


@dataclass(frozen=True)
class Rung:
    """One rung of the escalation ladder, as data.

    The ladder starts when a reply deadline passes without a reply. A rung falls due
    `wait` after its anchor: the rung before it (the first rung: the deadline) or the
    deadline itself. A wait in working days means the start of that working day (as
    reminders do); in working hours it is counted on working time. A rung whose
    condition does not hold when it falls due is passed over.
    """

    key: str
    label: str
    action: RungAction
    wait: Period
    anchor: RungAnchor = RungAnchor.PREVIOUS
    by: Contact | None = None  # the leader who urges (URGE) and is asked to call
    to: tuple[Contact, ...] = ()
    issuer: str = ""  # who signs a letter or recommendation
    number_word: str = ""  # the word in the document number: 督 → 青溪12345督〔2026〕7号
    only_without_extension: bool = False  # R-SV-3: overdue without an extension
    min_reminders: int = 0  # R-SV-3: reminded at least this often (催办两次以上)
    citation: str = ""


KJ_LADDER_CLAUSE = "开江 预警机制 二(三)"
DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung(
        key="deputy",
        label="分管领导催办",
        action=RungAction.URGE,
        wait=working_days(1),
        by=Contact.HOTLINE_DEPUTY_HEAD,
        to=(
            Contact.HOTLINE_DEPUTY_HEAD,
            Contact.UNIT_DEPUTY_HEAD,
            Contact.UNIT_STAFF,
            Contact.SUPERVISORS,
        ),
        citation=KJ_LADDER_CLAUSE,
    ),
    Rung(
        key="head",
        label="主要负责人催办",
        action=RungAction.URGE,
        wait=working_days(1),
        by=Contact.HOTLINE_HEAD,
        to=(Contact.HOTLINE_HEAD, Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        citation=KJ_LADDER_CLAUSE,
    ),
    Rung(
        key="letter",
        label="发送督办函",
        action=RungAction.LETTER,
        wait=working_days(2),
        to=(Contact.UNIT_HEAD, Contact.UNIT_LIAISON, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        issuer="行政审批局",
        number_word="督",
        citation=KJ_LADDER_CLAUSE,
    ),
    Rung(
        key="recommendation",
        label="效能监察建议",
        action=RungAction.RECOMMENDATION,
        wait=working_days(3),
        to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        issuer="效能监察办公室",
        number_word="效",
        only_without_extension=True,
        citation="兰溪 实施细则 四4",
    ),
    Rung(
        key="criticism",
        label="通报批评",
        action=RungAction.CRITICISM,
        wait=working_days(2),
        to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        min_reminders=2,
        citation="昆明 管理规定 第十七条；兰溪 实施细则 四4",
    ),
)


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
            raise PolicyError(f"未知参数：{'、'.join(sorted(unknown))}")
        params = tuple(replace(p, value=values.get(p.name, p.value)) for p in self.parameters)
        return replace(self, parameters=params)

    def rule_for(self, kind: Kind, mode: Mode, urgency: Urgency = Urgency.NORMAL) -> Rule:
        for rule in self.rules:
            if rule.matches(kind, mode, urgency):
                return rule
        raise PolicyError(
            f"政策 {self.code} 没有适用于 {KIND_LABELS[kind]}/{MODE_LABELS[mode]}/"
            f"{URGENCY_LABELS[urgency]} 的规则"
        )

    def resolve(self, period: Period, *, catalog_days: float | None = None) -> Period:
        """The period with its amount filled in from a parameter or the catalog item."""
        if period.unit == PeriodUnit.CATALOG:
            if catalog_days is None:
                raise PolicyError("该规则按派单目录确定时限，但工单没有对应的派单目录事项")
            return working_days(catalog_days)
        if period.parameter:
            value = self.parameter_values.get(period.parameter)
            if value is None:
                raise PolicyError(f"政策 {self.code} 的参数 {period.parameter} 尚未填写")
            return replace(period, amount=value, parameter="")
        return period

    def validate(self) -> None:
        """Raise PolicyError for anything that would break deadline computation."""
        if not self.rules:
            raise PolicyError("政策至少需要一条规则")
        names = {p.name for p in self.parameters}
        keys: set[str] = set()
        for rule in self.rules:
            if rule.key in keys:
                raise PolicyError(f"规则标识 {rule.key} 重复")
            keys.add(rule.key)
            for period in (rule.sign, rule.reply, rule.return_window, rule.extension_max):
                if period is None:
                    continue
                if period.parameter and period.parameter not in names:
                    raise PolicyError(f"规则「{rule.label}」引用了不存在的参数 {period.parameter}")
                fixed = period.unit != PeriodUnit.CATALOG and not period.parameter
                if fixed and (period.amount is None or period.amount < 0):
                    raise PolicyError(f"规则「{rule.label}」的时限必须是非负数")
            if any(lead <= 0 for lead in rule.reminder_leads):
                raise PolicyError(f"规则「{rule.label}」的催办提前量必须大于 0")
        for kind in Kind:
            for mode in Mode:
                self.rule_for(kind, mode, Urgency.NORMAL)
        if self.clock.day_start >= self.clock.day_end:
            raise PolicyError("上班时间必须早于下班时间")
        validate_ladder(self.ladder)
        validate_follow_up(self.follow_up)


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


def validate_ladder(ladder: tuple[Rung, ...]) -> None:
    keys: set[str] = set()
    for rung in ladder:
        if not rung.key or rung.key in keys:
            raise PolicyError(f"督办阶梯的标识 {rung.key or '（空）'} 为空或重复")
        keys.add(rung.key)
        wait = rung.wait
        if wait.unit == PeriodUnit.CATALOG or wait.parameter:
            raise PolicyError(f"督办阶梯「{rung.label}」的等待时间须为固定的工作日或小时数")
        if wait.amount is None or wait.amount < 0:
            raise PolicyError(f"督办阶梯「{rung.label}」的等待时间必须是非负数")
        if wait.unit == PeriodUnit.WORKING_DAYS and not float(wait.amount).is_integer():
            raise PolicyError(f"督办阶梯「{rung.label}」按工作日等待时须为整数")
        if rung.action == RungAction.URGE and rung.by is None:
            raise PolicyError(f"督办阶梯「{rung.label}」须指明由谁催办")
        if rung.min_reminders < 0:
            raise PolicyError(f"督办阶梯「{rung.label}」的催办次数不能为负")


# --- JSON ------------------------------------------------------------------------------


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
        raise PolicyError(f"无法识别的时限：{data!r}") from None
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
        raise PolicyError(f"无法识别的时间：{value}") from None


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
        "action": rung.action.value,
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
        action=RungAction(data["action"]),
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
        raise PolicyError(f"政策数据不完整或格式错误：{exc}") from None
    policy.validate()
    return policy
