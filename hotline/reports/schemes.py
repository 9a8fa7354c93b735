"""Assessment schemes, pure like the deadline policies (hotline/sla/policies.py): a scheme
is data (rates and weights, deductions, manual items, periods), stored as JSON in
immutable versions, and the score of one unit is a function of its counts (R-AS-1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from hotline.reports import indicators as ind

PERIOD_LABELS = {"month": "月度", "quarter": "季度自查", "half": "半年小结", "year": "年度考核"}


class SchemeError(ValueError):
    """A scheme that cannot score: the message is Chinese, for the editor."""


@dataclass(frozen=True)
class Weight:
    rate: str  # a key of indicators.RATES or of indicators.SCORES (satisfaction scores)
    weight: float  # points out of 100
    citation: str = ""


@dataclass(frozen=True)
class Deduction:
    metric: str  # a key of indicators.METRICS
    points: float  # taken off per occurrence
    cap: float | None = None  # at most this much in one period
    citation: str = ""


@dataclass(frozen=True)
class ManualItem:
    key: str
    label: str
    max_points: float
    citation: str = ""


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    source: str
    weights: tuple[Weight, ...]
    deductions: tuple[Deduction, ...] = ()
    manual: tuple[ManualItem, ...] = ()
    periods: tuple[str, ...] = ("month", "quarter", "half", "year")
    points: dict[str, float] = field(default_factory=lambda: dict(ind.DEFAULT_POINTS))

    def validate(self) -> None:
        if not self.weights:
            raise SchemeError("考核方案至少需要一项计分指标")
        known = set(ind.RATE_BY_KEY) | set(ind.SCORES)
        for w in self.weights:
            if w.rate not in known:
                raise SchemeError(f"未知的指标 {w.rate}")
            if w.weight < 0:
                raise SchemeError("指标权重不能为负数")
        if abs(sum(w.weight for w in self.weights) - 100) > 1e-6:
            raise SchemeError("各项指标权重之和应为 100")
        for d in self.deductions:
            if d.metric not in ind.METRIC_BY_KEY:
                raise SchemeError(f"未知的扣分项 {d.metric}")
            if d.points < 0 or (d.cap is not None and d.cap < 0):
                raise SchemeError("扣分分值和上限不能为负数")
        keys = [m.key for m in self.manual]
        if len(set(keys)) != len(keys) or any(not k for k in keys):
            raise SchemeError("人工评分项的标识为空或重复")
        if any(m.max_points <= 0 for m in self.manual):
            raise SchemeError("人工评分项的满分必须大于 0")
        if not self.periods or any(p not in PERIOD_LABELS for p in self.periods):
            raise SchemeError("考核周期只能是月度、季度、半年或年度")
        values = [float(v) for v in self.points.values()]
        if set(self.points) != set(ind.DEFAULT_POINTS) or any(not 0 <= v <= 100 for v in values):
            raise SchemeError("满意度分值应为 0 至 100")

    def manual_item(self, key: str) -> ManualItem | None:
        return next((m for m in self.manual if m.key == key), None)

    def score(self, counts: dict[str, int], manual: Mapping[str, float] | None = None) -> dict:
        """Indicator points (a rate with nothing to count passes its weight on to the
        others in proportion), minus deductions, plus manual items."""
        rates = ind.rates(counts)
        values: dict[str, float | None] = {k: r.value for k, r in rates.items()}
        for key in ind.SCORES:
            sat = ind.satisfaction_score(counts, self.points, key=key)
            values[key] = None if sat.value is None else sat.value / 100
        present = [w for w in self.weights if values[w.rate] is not None]
        total_weight = sum(w.weight for w in present)
        base = None
        if total_weight > 0:
            base = sum(w.weight * (values[w.rate] or 0.0) for w in present) * 100 / total_weight
        c = ind.counts_with_derived(counts)
        deductions: list[dict[str, Any]] = []
        taken_total = 0.0
        for d in self.deductions:
            taken = c[d.metric] * d.points
            if d.cap is not None:
                taken = min(taken, d.cap)
            taken_total += taken
            if taken:
                deductions.append({"metric": d.metric, "count": c[d.metric], "points": taken})
        given = manual or {}
        manual_points = {m.key: float(given.get(m.key, 0.0)) for m in self.manual}
        total = None
        if base is not None:
            total = round(base - taken_total + sum(manual_points.values()), 2)
        return {
            "base": None if base is None else round(base, 2),
            "deductions": deductions,
            "manual": manual_points,
            "total": total,
        }


def to_dict(scheme: Scheme) -> dict[str, Any]:
    data = asdict(scheme)
    for key in ("weights", "deductions", "manual", "periods"):
        data[key] = list(data[key])
    return data


def from_dict(data: Mapping[str, Any]) -> Scheme:
    try:
        scheme = Scheme(
            code=str(data["code"]),
            name=str(data["name"]),
            source=str(data.get("source", "")),
            weights=tuple(Weight(**w) for w in data["weights"]),
            deductions=tuple(Deduction(**d) for d in data.get("deductions", ())),
            manual=tuple(ManualItem(**m) for m in data.get("manual", ())),
            periods=tuple(data.get("periods", ("month",))),
            points={k: float(v) for k, v in data.get("points", ind.DEFAULT_POINTS).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SchemeError(f"考核方案格式不正确：{exc}") from None
    scheme.validate()
    return scheme


# --- presets, each item citing its clause ----------------------------------------------

COMMON_DEDUCTIONS = (
    Deduction("letter", 2, None, "兰溪 四4；开江 二(三)"),
    Deduction("criticised", 5, None, "昆明 第二十四条"),
    Deduction("return_refused", 1, None, "中山 第三十八条（不当退单）"),
)
ORGANISATION = ManualItem("organisation", "组织领导和人员配备", 5, "上饶 七(一)")
KNOWLEDGE = ManualItem("knowledge", "知识库维护", 3, "中山 第三十六条")
LEADERS = ManualItem("leaders_answer", "领导接听热线", 2, "兰溪 四6")

LX = Scheme(
    code="LX",
    name="兰溪 目标管理计分考核",
    source="兰溪 实施细则 六1：目标管理、计分考核，每季自查、半年小结、年终考核",
    weights=(
        Weight("on_time_rate", 40, "兰溪 六1"),
        Weight("sign_rate", 10, "兰溪 六1"),
        Weight("satisfy_rate", 50, "兰溪 六1"),
    ),
    deductions=COMMON_DEDUCTIONS,
    manual=(ORGANISATION, LEADERS),
    periods=("quarter", "half", "year"),
)
SR = Scheme(
    code="SR",
    name="上饶 督办结果纳入绩效考核",
    source="上饶 管理办法 四(四)1：督办结果纳入绩效考核；七(二)人员考核",
    weights=(
        Weight("on_time_rate", 30, "上饶 四(三)1 办理进度"),
        Weight("resolve_rate", 35, "上饶 四(三)2 办理质量"),
        Weight("satisfy_rate", 35, "上饶 四(三)3 群众满意度"),
    ),
    deductions=COMMON_DEDUCTIONS,
    manual=(ORGANISATION,),
    periods=("month", "year"),
)
KM = Scheme(
    code="KM",
    name="昆明 目标管理考核",
    source="昆明 管理规定 第二十二条：目标管理考核，纳入政府目标责任考核；第十五条核实承办"
    "单位办理情况和满意程度；第十六条催办记录",
    weights=(
        Weight("response_rate", 10, "接诉即办三率"),
        Weight("resolve_rate", 45, "接诉即办三率"),
        Weight("satisfy_rate", 25, "接诉即办三率；昆明 第二十二条"),
        Weight("unit_satisfy_rate", 20, "昆明 第十五条：承办单位办理情况和满意程度"),
    ),
    deductions=(*COMMON_DEDUCTIONS, Deduction("reminded", 0.5, 5, "昆明 第十六条")),
    manual=(ORGANISATION, KNOWLEDGE, LEADERS),
    periods=("month", "year"),
)
ZS = Scheme(
    code="ZS",
    name="中山 接诉即办考评",
    source="中山 条例 第三十六条：覆盖接收、办理、主动治理全流程的考评",
    weights=(
        Weight("response_rate", 10, "中山 第三十六条"),
        Weight("resolve_rate", 45, "中山 第三十六条"),
        Weight("satisfy_rate", 45, "中山 第三十六条"),
    ),
    deductions=COMMON_DEDUCTIONS,
    manual=(KNOWLEDGE,),
    periods=("month", "quarter", "half", "year"),
)
PRESETS: dict[str, Scheme] = {s.code: s for s in (LX, SR, KM, ZS)}
