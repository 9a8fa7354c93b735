"""The indicators, defined as data, and the pure rules that turn one ticket's events,
assignments and deadlines into facts (R-AS-1, R-AS-2; design rule 3).

No ORM here: `aggregate.py` loads a ticket's rows into `TicketData` and stores what
`ticket_facts` returns. Every count is a sum of facts; every rate a ratio of two counts.

Period rules (docs/decisions/0008):
- an event counts on the local day it happened (signature, request, reminder, ...);
- a deadline counts on the local day it fell (replies due, on time, overdue);
- a return visit counts on the day it was recorded, and only the latest round's visit
  counts (a redo's outcome replaces the first visit; decision 0007's rounds, events
  written before rounds existed read as round 1); a round the hotline gave up on after
  its failed calls counts as visited, not satisfied;
- the response window (R-UN-4) counts on the day it closed: the unit's first contact
  (any result) at or before `contact_due` is a response;
- a ticket whose exclusion the hotline approved counts for nothing of that unit's
  assessment except the "excluded" count itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    rule: str  # what counts, in words (shown on the assessment page)
    period: str  # which moment places it in a period


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    numerator: str
    denominator: str
    citation: str


EVENT = "事件发生之日"
DEADLINE = "期限届满之日"
VISIT = "回访记录之日（重办后以最后一次回访为准）"

METRICS: tuple[Metric, ...] = (
    Metric("received_lead", "牵头受理", "作为牵头单位收到的派单", "派单之日"),
    Metric("received_assist", "协办受理", "作为协办单位收到的派单", "派单之日"),
    Metric("signed", "签收", "签收的工单", EVENT),
    Metric("signed_on_time", "按时签收", "签收时限内签收的工单", EVENT),
    Metric("response_due", "应响应", "签收后响应时限届满或已联系诉求人的工单", DEADLINE),
    Metric("responded", "及时响应", "响应时限内联系诉求人的工单", DEADLINE),
    Metric("due", "应办结", "答复期限（含批准的延期）届满的牵头工单", DEADLINE),
    Metric("on_time", "按时办结", "期限内经单位负责人审核答复的工单", DEADLINE),
    Metric("overdue", "超期", "期限届满仍未答复或逾期答复的工单", DEADLINE),
    Metric("return_requested", "申请退回", "提出退回申请", EVENT),
    Metric("return_approved", "退回通过", "热线同意退回", EVENT),
    Metric("return_refused", "不当退回", "热线不同意的退回（中山 第三十八条）", EVENT),
    Metric("extension_requested", "申请延期", "提出延期申请", EVENT),
    Metric("extension_approved", "批准延期", "热线批准延期", EVENT),
    Metric("redo", "重办", "回访不满意后重新交办", EVENT),
    Metric("reminded", "催办", "自动或人工催办", EVENT),
    Metric("urged", "领导督办", "热线领导督办", EVENT),
    Metric("letter", "督办函", "发出的督办函", EVENT),
    Metric("recommendation", "效能监察建议", "发出的效能监察建议书", EVENT),
    Metric("criticised", "通报批评", "列入通报批评", EVENT),
    Metric("visited", "回访", "回访的工单", VISIT),
    Metric("resolved", "已解决", "回访认为已解决", VISIT),
    Metric("satisfied", "满意", "回访满意", VISIT),
    Metric("basic", "基本满意", "回访基本满意", VISIT),
    Metric("unsatisfied", "不满意", "回访不满意", VISIT),
    Metric("not_visited", "未回访成功", "多次回访未接通，按未回访计（不计满意）", VISIT),
    # The citizen's satisfaction with the handling unit (办理单位满意, KM 15), asked at the
    # same visit; a visit where the citizen did not rate the unit is not counted.
    Metric(
        "unit_rated",
        "评价承办单位",
        "回访中对承办单位作出评价的工单（多次未接通的按不满意计）",
        VISIT,
    ),
    Metric("unit_satisfied", "对承办单位满意", "回访对承办单位满意", VISIT),
    Metric("unit_basic", "对承办单位基本满意", "回访对承办单位基本满意", VISIT),
    Metric("unit_unsatisfied", "对承办单位不满意", "回访对承办单位不满意", VISIT),
    Metric("excluded", "剔除", "热线批准剔除、不计入考核的工单", EVENT),
    # The hotline's own service figures (unit = None).
    Metric("intake", "受理", "热线受理的诉求", "受理之日"),
    Metric("answered_now", "直接办结", "当即答复、引导或转阅办结", "受理之日"),
    Metric("declined", "不予受理", "不属于受理范围", "受理之日"),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}
HOTLINE_METRICS = ("intake", "answered_now", "declined")

RATES: tuple[Rate, ...] = (
    Rate("sign_rate", "签收及时率", "signed_on_time", "signed", "开江 预警机制 二(一)"),
    Rate("on_time_rate", "按时办结率", "on_time", "due", "兰溪 六；中山 第三十六条"),
    Rate("response_rate", "响应率", "responded", "response_due", "中山 第二十条(一)"),
    Rate("resolve_rate", "解决率", "resolved", "visited", "上饶 四(四)；昆明 第二十二条"),
    Rate("satisfy_rate", "满意率", "pleased", "visited", "上饶 四(四)；昆明 第二十二条"),
    Rate(
        "unit_satisfy_rate",
        "办理单位满意率",
        "unit_pleased",
        "unit_rated",
        "昆明 第十四条(一)、第十五条（承办单位办理情况和满意程度）",
    ),
)
# Sums of metrics that rates use as numerators (drill-down opens the tickets of each part).
DERIVED: dict[str, tuple[str, ...]] = {
    "pleased": ("satisfied", "basic"),
    "unit_pleased": ("unit_satisfied", "unit_basic"),
}
# The satisfaction scores (满意度得分) a scheme may weigh: key → (label, the metric prefix).
SCORES: dict[str, tuple[str, str]] = {
    "score": ("满意度得分", ""),
    "unit_score": ("办理单位满意度得分", "unit_"),
}
RATE_BY_KEY = {r.key: r for r in RATES}

# Event kind → metric counted for the event's unit on the event's day.
EVENT_METRICS: dict[str, str] = {
    "signed": "signed",
    "send_back_requested": "return_requested",
    "send_back_approved": "return_approved",
    "send_back_refused": "return_refused",
    "extension_requested": "extension_requested",
    "extension_approved": "extension_approved",
    "redo": "redo",
    "reminded": "reminded",
    "urged": "urged",
    "supervision_letter": "letter",
    "efficiency_recommendation": "recommendation",
    "publicly_criticised": "criticised",
}
# Events after which the reply deadline runs again: an earlier reply no longer answers it.
REOPENING = frozenset({"redo", "completion_refused", "send_back_refused"})
# The return visit's outcomes: a done visit, or the last failed call of a round.
VISIT_EVENTS = frozenset({"visited", "visit_failed"})
# Every event kind ticket_facts reads; the others (received, dispatched, notes, ...) need
# not be loaded: at a million tickets they are half of the events.
READ_EVENTS = frozenset(
    {*EVENT_METRICS, *REOPENING, *VISIT_EVENTS, "reply_approved", "exclusion_approved"}
)
SATISFACTION_METRIC = {"satisfied": "satisfied", "basic": "basic", "unsatisfied": "unsatisfied"}
DEFAULT_POINTS = {"satisfied": 100.0, "basic": 80.0, "unsatisfied": 0.0}


@dataclass(frozen=True)
class Ev:
    kind: str
    at: datetime
    unit_id: int | None
    assignment_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class As:
    id: int
    unit_id: int
    role: str
    active: bool
    state: str
    dispatched_at: datetime
    reply_due: datetime | None  # a carry-over (挂账) has moved it to the promised date
    contact_due: datetime | None = None  # R-UN-4: set when the unit signs
    first_contact_at: datetime | None = None


@dataclass(frozen=True)
class TicketData:
    id: int
    received_at: datetime
    intake_outcome: str
    events: tuple[Ev, ...]
    assignments: tuple[As, ...]
    excluded_units: frozenset[int] = frozenset()  # approved exclusions (剔除)


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


Fact = tuple[int | None, date, str]


def _visit_unit(ticket: TicketData, at: datetime) -> int | None:
    """The lead unit answerable for the visited result: the active lead, else the last
    lead dispatched before the visit."""
    leads = [a for a in ticket.assignments if a.role == "lead"]
    active = [a for a in leads if a.active]
    if active:
        return active[-1].unit_id
    before = [a for a in leads if a.dispatched_at <= at]
    return before[-1].unit_id if before else None


def _deadline_facts(ticket: TicketData, lead: As, now: datetime) -> list[Fact]:
    if lead.reply_due is None or lead.state == "returned":
        return []
    reopened = max(
        (e.at for e in ticket.events if e.assignment_id == lead.id and e.kind in REOPENING),
        default=None,
    )
    replies = [
        e.at
        for e in ticket.events
        if e.assignment_id == lead.id
        and e.kind == "reply_approved"
        and (reopened is None or e.at > reopened)
    ]
    replied = replies[-1] if replies else None
    due_at, due_day = lead.reply_due, local_day(lead.reply_due)
    if due_at > now and replied is None:
        return []  # the deadline has not fallen yet
    facts: list[Fact] = [(lead.unit_id, due_day, "due")]
    if replied is not None and replied <= due_at:
        facts.append((lead.unit_id, due_day, "on_time"))
    elif due_at <= now or replied is not None:
        facts.append((lead.unit_id, due_day, "overdue"))
    return facts


def ticket_facts(ticket: TicketData, now: datetime) -> list[Fact]:
    """Every fact of one ticket as of `now` (pure: same input, same facts)."""
    facts: list[Fact] = [(None, local_day(ticket.received_at), "intake")]
    if ticket.intake_outcome in ("answer_now", "guide", "forward"):
        facts.append((None, local_day(ticket.received_at), "answered_now"))
    elif ticket.intake_outcome == "decline":
        facts.append((None, local_day(ticket.received_at), "declined"))
    units = {a.id: a.unit_id for a in ticket.assignments}
    for a in ticket.assignments:
        if a.role == "lead":
            facts.append((a.unit_id, local_day(a.dispatched_at), "received_lead"))
        elif a.role == "assist":
            facts.append((a.unit_id, local_day(a.dispatched_at), "received_assist"))
    for e in ticket.events:
        unit = e.unit_id if e.unit_id is not None else units.get(e.assignment_id or 0)
        metric = EVENT_METRICS.get(e.kind)
        if metric and unit is not None:
            facts.append((unit, local_day(e.at), metric))
            if e.kind == "signed" and not e.data.get("late"):
                facts.append((unit, local_day(e.at), "signed_on_time"))
        if e.kind == "exclusion_approved" and unit is not None:
            facts.append((unit, local_day(e.at), "excluded"))
    for a in ticket.assignments:
        if a.role == "lead":
            facts += _deadline_facts(ticket, a, now)
        facts += _response_facts(a, now)
    facts += _visit_facts(ticket)
    if ticket.excluded_units:
        facts = [
            f
            for f in facts
            if f[0] is None or f[0] not in ticket.excluded_units or f[2] == "excluded"
        ]
    return facts


def _response_facts(a: As, now: datetime) -> list[Fact]:
    """响应率 (R-UN-4, decision 0007): a signed assignment is due a response when its
    window closes (or earlier, once contacted); the first contact at or before
    `contact_due` is a response."""
    if a.contact_due is None:
        return []  # never signed: outside the denominator
    responded = a.first_contact_at is not None and a.first_contact_at <= a.contact_due
    if a.contact_due > now and not responded:
        return []  # the window is still open
    day = local_day(a.contact_due)
    facts: list[Fact] = [(a.unit_id, day, "response_due")]
    if responded:
        facts.append((a.unit_id, day, "responded"))
    return facts


def _visit_facts(ticket: TicketData) -> list[Fact]:
    """The ticket's counted visit (decision 0007, `tickets.followup.final_visit`): of the
    latest round (a redo's round replaces the earlier one once its first call is made),
    the last done visit or the failed call the hotline gave up after (not visited)."""
    calls = [e for e in ticket.events if e.kind in VISIT_EVENTS]
    if not calls:
        return []
    latest = max(int(e.data.get("round") or 1) for e in calls)
    final = [
        e
        for e in calls
        if int(e.data.get("round") or 1) == latest
        and (
            (e.kind == "visited" and e.data.get("satisfaction"))
            or (e.kind == "visit_failed" and e.data.get("gave_up"))
        )
    ]
    if not final:
        return []
    last = final[-1]
    unit = _visit_unit(ticket, last.at)
    if unit is None:
        return []
    day = local_day(last.at)
    if last.kind == "visit_failed":  # given up: visited, never satisfied, with either
        return [
            (unit, day, "visited"),
            (unit, day, "not_visited"),
            (unit, day, "unit_rated"),
        ]
    out: list[Fact] = [(unit, day, "visited")]
    out.append((unit, day, SATISFACTION_METRIC[last.data["satisfaction"]]))
    if last.data.get("resolved"):
        out.append((unit, day, "resolved"))
    with_unit = last.data.get("unit_satisfaction")
    if with_unit in SATISFACTION_METRIC:
        out += [(unit, day, "unit_rated"), (unit, day, "unit_" + with_unit)]
    return out


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """None when nothing was to be counted: shown as "—", never 0 % or 100 %."""
        return None if self.denominator == 0 else self.numerator / self.denominator

    def display(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"


def counts_with_derived(counts: dict[str, int]) -> dict[str, int]:
    out = {m.key: 0 for m in METRICS}
    out.update(counts)
    for key, parts in DERIVED.items():
        out[key] = sum(out[p] for p in parts)
    return out


def rates(counts: dict[str, int]) -> dict[str, Ratio]:
    c = counts_with_derived(counts)
    return {r.key: Ratio(c[r.numerator], c[r.denominator]) for r in RATES}


def satisfaction_score(
    counts: dict[str, int], points: dict[str, float] | None = None, *, key: str = "score"
) -> Ratio:
    """满意度得分: points per answer (满意 100, 基本满意 80, 不满意 0 by default), averaged
    over the visited tickets; numerator is the sum of points. `key="unit_score"`: the same
    over the answers about the handling unit (办理单位满意度得分)."""
    prefix = SCORES[key][1]
    p = {**DEFAULT_POINTS, **(points or {})}
    c = counts_with_derived(counts)
    total = sum(c[prefix + answer] * p[answer] for answer in DEFAULT_POINTS)
    return Ratio(round(total), c["unit_rated" if prefix else "visited"])  # not visited: 0


# --- staff (R-AS-3, SR 七(二), ZS 33): the operator's figures, computed per operator by
# hotline.supervision.performance from tickets, visits and quality reviews -------------

OPERATOR_MEASURES: tuple[Metric, ...] = (
    Metric("created", "受理工单", "话务员登记的工单", "受理之日"),
    Metric("calls", "接听来电", "其中经电话渠道受理", "受理之日"),
    Metric("answered_now", "直接答复", "当即答复办结", "受理之日"),
    Metric("declined", "不予受理", "不属于受理范围", "受理之日"),
    Metric("operator_rated", "话务员满意度评价数", "回访中对话务员作出评价的工单", VISIT),
    Metric("operator_pleased", "满意及基本满意", "回访对话务员满意或基本满意", VISIT),
    Metric("reviewed", "质检件数", "期内完成质检评分的工单", "质检评分之日"),
)
OPERATOR_RATE = Rate(
    "operator_satisfy_rate",
    "话务员满意率",
    "operator_pleased",
    "operator_rated",
    "上饶 七(二)；中山 第三十三条",
)
PLEASED_ANSWERS = ("satisfied", "basic")


def sum_facts(facts: Iterable[Fact]) -> dict[tuple[int | None, str], int]:
    out: dict[tuple[int | None, str], int] = {}
    for unit, _day, metric in facts:
        out[unit, metric] = out.get((unit, metric), 0) + 1
    return out
