"""Smart form filling (智能填单): from the operator's free text or a pasted call transcript,
suggest the intake form's fields, each with the words it came from. Pure: no ORM; the
city's unit and region names come in as a gazetteer (`selectors.fill_suggestions`).

- place: regions, towns, villages, roads, estates and buildings, read with jieba's POS
  tags (ns: place names) joined with the words that follow them up to a place ending
  (小区, 路, 村, 3栋, 86号 …), plus the gazetteer's names found in the text;
- time: dates and times of day (2019年10月14日, 4月28日, 昨天, 凌晨2点, 每晚);
- people / organisations: jieba's nt and nr tags and names ending in an organisation word
  (公司, 局, 医院, 学校, 法院 …), plus gazetteer units;
- 诉求 (what is asked): the last sentence with a request word (请, 希望, 要求 …);
- summary: the first sentence without greetings, at most 40 characters;
- kind: the kind check's reading of the text (`kindcheck.text_kind`).
Measured on 210 hand-labelled messages in `bench/fill.py` beside a regular-expression
baseline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

PLACE_END = (
    "小区|花园|家园|公寓|新城|新村|山庄|广场|大厦|商城|市场|公园|村|组|社区|街道|办事处|镇|乡|"
    "大道|路|街|巷|桥|县|区|市|省|苑|园|城|湖|站|栋|号|单元|期"
)
PLACE_TAIL_RE = re.compile(rf"^[\u4e00-\u9fffA-Za-z0-9（）()\-]{{0,12}}?(?:{PLACE_END})")
ADMIN_RE = re.compile(r"[A-Z]\d{0,2}[市区县](?:[\u4e00-\u9fff]{1,6}?(?:镇|乡|街道|村))*")
BUILDING_RE = re.compile(r"\d+(?:栋|号|单元|号楼|期)")
ORG_END = (
    "有限责任公司|有限公司|公司|集团|局|委员会|委|办|院|医院|学校|中学|小学|幼儿园|学院|大学|"
    "法院|检察院|派出所|银行|超市|酒吧|药房|车行|物业|政府|所|站|中心|厂|店|馆"
)
ORG_RE = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{2,12}}?(?:{ORG_END})")
TIME_RE = re.compile(
    r"\d{2,4}年\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}月\d{1,2}[日号]|\d{4}年|\d{1,2}月份?|"
    r"\d{1,2}\.\d{1,2}号|(?:今天|昨天|前天|明天|今年|去年|前年|上个月|本月|近期|近日|最近|"
    r"每天|每晚|晚上|凌晨|深夜|夜间|上午|下午|早上|中午)(?:\d{1,2}[点时](?:多|左右)?)?|"
    r"\d{1,2}[点时]多?"
)
REQUEST_RE = re.compile(r"请|希望|要求|恳请|建议|能否|可否|何时|什么时候|怎么办|如何")
GREETING_RE = re.compile(
    r"^(?:尊敬的[^，,：:！!]{0,12}[，,：:！!]?\s*|[^，,：:]{0,6}(?:书记|市长|县长|区长|局长|领导)"
    r"(?:们)?(?:您好|你好)?[，,：:！!]\s*|(?:您好|你好)[，,：:！!]?\s*)+"
)
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# jieba tags these ns, but they name no place a unit could go to.
NOT_PLACES = frozenset({"城市", "中国", "西地省", "河里", "山林", "大街", "大桥", "山庄", "全国"})
# Words that tell the kind in free text beside the kind check's stricter cues.
KIND_HINTS: dict[str, tuple[str, ...]] = {
    "report": ("贪污", "受贿", "腐败", "违纪", "冒领", "套取", "敛财", "行贿", "私设", "违章"),
    "complaint": ("严重影响", "不管", "无人管", "没人管", "不负责", "乱收费", "扰民", "不合理"),
    "help": ("请求帮助", "救救", "困难", "没有水", "无法通车", "没有电", "讨薪", "拖欠"),
    "suggest": ("建议", "希望能", "盼", "应该", "可以考虑"),
    "consult": ("请问", "咨询", "是否", "能否", "怎么办", "如何", "什么时候", "何时"),
}
FIELDS = ("place", "time", "people", "request", "summary", "kind", "topic")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass
class Suggestion:
    name: str  # the form field
    value: str
    source: str  # the words it came from
    spans: list[Span] = field(default_factory=list)


def _tagged(text: str) -> list[tuple[str, str, int]]:
    """jieba words with their POS flags and start offsets."""
    from hotline.intelligence.text import cutter

    cutter()
    import jieba.posseg as pseg

    out, at = [], 0
    for pair in pseg.cut(text):
        out.append((pair.word, pair.flag, at))
        at += len(pair.word)
    return out


def _merge(spans: Iterable[Span], text: str, gap: int = 0) -> list[Span]:
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in ordered:
        if merged and s.start <= merged[-1].end + gap:
            last = merged[-1]
            end = max(last.end, s.end)
            merged[-1] = Span(last.start, end, text[last.start : end])
        else:
            merged.append(s)
    return merged


def _extended(text: str, start: int, end: int) -> Span:
    """A place name with the words after it up to a place ending: 城东街道 → 城东街道幸福小区."""
    tail = PLACE_TAIL_RE.match(text[end:])
    end += tail.end() if tail else 0
    return Span(start, end, text[start:end])


def places(text: str, tagged, gazetteer: Iterable[str] = ()) -> list[Span]:
    found = [_extended(text, m.start(), m.end()) for m in ADMIN_RE.finditer(text)]
    for word, flag, at in tagged:
        if flag == "ns" and len(word) >= 2 and word not in NOT_PLACES:
            found.append(_extended(text, at, at + len(word)))
    for m in BUILDING_RE.finditer(text):
        found.append(Span(m.start(), m.end(), m.group()))
    for name in gazetteer:
        start = text.find(name)
        if len(name) >= 2 and start >= 0:
            found.append(_extended(text, start, start + len(name)))
    merged = _merge(found, text)
    return [s for s in merged if not BUILDING_RE.fullmatch(s.text)]


ORG_CUT_RE = re.compile(r".*(?:[的在是我到和与对向给从被把]|楼下|楼上|附近|旁边)")


def _org_span(text: str, start: int, end: int) -> Span | None:
    """An organisation name without what the lazy pattern caught before it: times and
    little words (昨天晚上11点楼下餐馆 → 餐馆)."""
    name = text[start:end]
    for when in TIME_RE.finditer(name):
        start, name = start + when.end(), text[start + when.end() : end]
    cut = ORG_CUT_RE.match(name)
    if cut:
        start, name = start + cut.end(), text[start + cut.end() : end]
    return Span(start, end, name) if len(name) >= 2 else None


def organisations(text: str, tagged, gazetteer: Iterable[str] = ()) -> list[Span]:
    found = [s for m in ORG_RE.finditer(text) if (s := _org_span(text, m.start(), m.end()))]
    for word, flag, at in tagged:
        # people: full names (three characters); jieba's two-character nr is mostly noise
        if (flag == "nt" and len(word) >= 2) or (flag == "nr" and len(word) == 3):
            found.append(Span(at, at + len(word), word))
    for name in gazetteer:
        start = text.find(name)
        if len(name) >= 3 and start >= 0:
            found.append(Span(start, start + len(name), name))
    return _merge(found, text)


def times(text: str) -> list[Span]:
    return _merge((Span(m.start(), m.end(), m.group()) for m in TIME_RE.finditer(text)), text)


def _sentences(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group()) for m in SENTENCE_RE.finditer(text)]


def request(text: str) -> Span | None:
    asked = [s for s in _sentences(text) if REQUEST_RE.search(s.text)]
    return asked[-1] if asked else None


def summary(text: str) -> Span | None:
    for s in _sentences(text):
        greeting = GREETING_RE.match(s.text)
        start = s.start + (greeting.end() if greeting else 0)
        body = text[start : s.end].strip(" 。！？!?，,")
        if len(body) >= 4:
            return Span(start, start + len(body[:40]), body[:40])
    return None


def fill(
    text: str,
    *,
    places_gazetteer: Iterable[str] = (),
    units_gazetteer: Iterable[str] = (),
    topic=None,
) -> dict[str, Suggestion]:
    """Suggestions for the intake form's fields from `text`, keyed by field; a field with
    nothing to suggest is left out. `topic` is the classifier's best (name, probability)."""
    from hotline.intelligence.kindcheck import text_kind

    text = (text or "").strip()
    if not text:
        return {}
    tagged = _tagged(text)
    out: dict[str, Suggestion] = {}
    found = places(text, tagged, places_gazetteer)
    if found:
        best = max(found, key=lambda s: len(s.text))
        out["place"] = Suggestion("place", best.text, best.text, found)
    when = times(text)
    if when:
        out["time"] = Suggestion("time", when[0].text, when[0].text, when)
    who = organisations(text, tagged, units_gazetteer)
    if who:
        names = list(dict.fromkeys(s.text for s in who))[:5]
        out["people"] = Suggestion("people", "、".join(names), "、".join(names), who)
    asked = request(text)
    if asked:
        out["request"] = Suggestion("request", asked.text.strip(), asked.text, [asked])
    first = summary(text)
    if first:
        out["summary"] = Suggestion("summary", first.text, first.text, [first])
    kind, score, cues = text_kind(text[:60], text)
    if score >= 1:
        out["kind"] = Suggestion("kind", kind, "、".join(cues[kind][:3]))
    else:
        hinted = {k: [w for w in words if w in text] for k, words in KIND_HINTS.items()}
        hint = max(hinted, key=lambda k: len(hinted[k]))
        if hinted[hint]:
            out["kind"] = Suggestion("kind", hint, "、".join(hinted[hint][:3]))
    if topic:
        out["topic"] = Suggestion("topic", topic[0], f"{round(topic[1] * 100)}%", [])
    return out
