"""Hotspots (R-DA-3, R-DA-4): one problem at one place (or one organisation, one case),
however differently people word it, grouped and ranked by a heat index. Pure: no ORM;
`selectors` feeds it the city's tickets, the `intelligence hotspots` command a CSV like
Teddy Cup's `hotspots.csv`. See docs/decisions/0013-intelligence-people-can-see.md.

Named places and organisations are read from the text (`places`: a name ending in a
place or organisation word, such as 丽发新城, 月亮岛路, 涉外经济学院, 展星投资有限公司,
58车贷) and normalised (`normalise_place`: 万科魅力之城小区 → 魅力之城). Two messages are
linked when
- they name the same place (one name contains the other) and their texts are alike
  (cosine of word TF-IDF ≥ `similar_place`), within `place_window_days` (a school that
  sends its students to factories every term is one hotspot, not one a month), or
- their texts are nearly the same (cosine ≥ `same`, a repost) and they do not name two
  different places, within `window_days`, or
- neither names a place, they are in the same district and alike (≥ `similar`) within
  `window_days`.
A group is a connected set of linked messages; groups whose main place is the same and
whose centroids overlap in meaning (cosine ≥ `merge`) are merged (one estate's fumes and
its late-night noise from the same shops).

Heat (`heat_index`) = distinct citizens + 3·ln(1 + likes + dislikes) + messages per 30
days (never more than the count) + 3·recency, recency = 0.5^(days since the last
message / 90), days counted to the newest message of the input.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hotline.intelligence.text import tokenize

ADMIN_RE = re.compile(r"[A-Z]\d{0,2}[市区县]")  # the anonymised districts of the data set
NOISE_RE = re.compile(
    r"投诉|反映|关于|举报|咨询|建议|请求|恳请|希望|要求|请问|强烈|严重|附近|旁边|侧面|"
    r"对面|门口|周边|一带|所在|我们|我是|我家|本人|位于|座落在|坐落在|地处|业主|居民|"
    r"[，。、；：？！“”（）《》,.;:?!()\s\d的在和与及临沿而但从到向对]"
)
PLACE_SUFFIXES = (
    "小区|花园|家园|公寓|新城|新村|城|苑|园|山庄|广场|大厦|村|社区|街道|镇|乡|大道|路|街|巷|"
    "中学|小学|学校|幼儿园|医院|公园|市场|车站|大桥|湖|"
    "学院|大学|有限公司|公司|集团|车贷|联络线|高铁|地铁\\d+号线"
)
PLACE_RE = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{1,6}}?(?:{PLACE_SUFFIXES})")
TRIM_RE = re.compile(r"(小区|居民区|片区|社区|[一二三四五六七八九十\d]+期)+$")
# Developers' brands in front of an estate's name: 万科魅力之城 is 魅力之城.
BRAND_RE = re.compile(
    r"^(万科|恒大|碧桂园|保利|绿地|荣盛|中建|金科|融创|万达|富力|中海|招商|龙湖|阳光城|"
    r"华润|旭辉|世茂|新力|中铁|中国铁建|北辰|西地省|涉外)"
)
GENERIC_PLACES = frozenset(
    {
        "小区", "社区", "村", "街道", "路", "街", "学校", "医院", "市场", "公司", "有限公司",
        "集团", "大学", "学院", "地铁", "高铁", "新城", "城", "公园", "广场", "本小区",
        "老小区", "我小区", "该小区", "物业公司", "开发商", "房地产公司", "A市", "省会城",
    }
)  # fmt: skip
GENERIC_WORDS = frozenset(
    [
        "投诉",
        "反映",
        "问题",
        "请求",
        "希望",
        "请",
        "解决",
        "领导",
        "政府",
        "相关",
        "部门",
        "市",
        "区",
        "县",
        "你好",
        "您好",
        "谢谢",
        "感谢",
        "我们",
        "他们",
        "一个",
        "没有",
        "现在",
        "情况",
        "严重",
        "要求",
        "能否",
        "是否",
        "为什么",
        "这个",
        "那个",
        "进行",
        "已经",
        "可以",
        "小区",
        "社区",
        "业主",
        "居民",
        "住户",
        "影响",
        "生活",
    ]
)


@dataclass(frozen=True)
class Message:
    id: str
    subject: str
    detail: str
    at: datetime
    likes: int = 0
    against: int = 0
    user: str = ""
    area: str = ""  # the district or region when known (tickets); else read from the text


@dataclass
class Hotspot:
    member_ids: list[str]
    place: str
    start: datetime
    end: datetime
    heat: float
    title: str
    likes: int = 0
    citizens: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "member_ids": self.member_ids,
            "place": self.place,
            "start": self.start.isoformat(sep=" "),
            "end": self.end.isoformat(sep=" "),
            "heat": self.heat,
            "title": self.title,
            "size": len(self.member_ids),
            "citizens": self.citizens,
            "likes": self.likes,
        }


def admin_areas(text: str) -> list[str]:
    return ADMIN_RE.findall(text)


# Cases and lines named with digits, which the noise filter would cut: 58车贷, 地铁3号线.
NUMBERED_RE = re.compile(r"\d+[A-Za-z\u4e00-\u9fff]{0,2}车贷|地铁\d+号线")
SUFFIX_WORDS = frozenset(PLACE_SUFFIXES.split("|"))
# Words of a sentence the lazy pattern catches in front of a name, cut from the place shown:
# keep what follows the last of them (有几个人有走路 → nothing; 前几年搞新农村 → 新农村).
CUT_RE = re.compile(r"^.*[有个是了搞说要没不这那们就把被让给叫去问也都还]")


def normalise_place(name: str) -> str:
    """One spelling per place: no 小区/社区/二期 ending, no developer's brand in front
    (万科魅力之城小区 → 魅力之城); the name itself when nothing would be left."""
    trimmed = TRIM_RE.sub("", name)
    unbranded = BRAND_RE.sub("", trimmed)
    return unbranded if len(unbranded) >= 3 else trimmed


def places(text: str) -> set[str]:
    """Named places and organisations in `text` without their district prefix, normalised,
    e.g. {"丽发新城", "万家丽南路"}."""
    cleaned = NOISE_RE.sub("|", ADMIN_RE.sub("|", text))
    found = set(NUMBERED_RE.findall(text))
    for match in PLACE_RE.findall(cleaned):
        name = normalise_place(match)
        if len(name) >= 3 and name not in GENERIC_PLACES and name not in SUFFIX_WORDS:
            found.add(name)
    return found


# Roads, towns and villages hold many problems: sharing one is weaker evidence than
# sharing an estate, a school or a company.
WIDE_RE = re.compile(r"(路|大道|街|巷|镇|乡|街道|村|湖|大桥)$")


def _shared_places(a: set[str], b: set[str]) -> list[str]:
    return [x if len(x) <= len(y) else y for x in a for y in b if x in y or y in x]


def _same_place(a: set[str], b: set[str]) -> bool:
    return bool(_shared_places(a, b))


def heat_index(
    citizens: int, likes: int, count: int, span_days: float, age_days: float = 0.0
) -> float:
    """Distinct citizens, the public's attention (likes and dislikes, logarithmic: a case
    with thousands of votes is hot, but not a thousand times hotter), the burst (messages
    per 30 days over the span, never more than the count) and recency (half every 90 days
    since the last message)."""
    per_month = min(count, 30 * count / max(span_days, 1.0))
    recency = 0.5 ** (max(age_days, 0.0) / 90)
    return round(citizens + 3 * math.log1p(max(likes, 0)) + per_month + 3 * recency, 2)


def _vectors(messages: Sequence[Message], place_sets: Sequence[set[str]]):
    """Word TF-IDF of what each message says, without the names of its places: sharing a
    place is judged apart, so 魅力之城's cracked floors do not look like its fumes."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = []
    for m, named in zip(messages, place_sets, strict=True):
        words = [
            w
            for w in tokenize(f"{m.subject} {m.subject} {m.detail}")
            if w not in GENERIC_WORDS and not any(w in p for p in named)
        ]
        docs.append(" ".join(w for w in words if len(w) > 1 or "\u4e00" <= w <= "\u9fff"))
    return TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True).fit_transform(docs)


class _Groups:
    """Union-find over message indexes."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)

    def members(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def find_hotspots(
    messages: Sequence[Message],
    *,
    window_days: float = 30,
    place_window_days: float = 800,
    similar: float = 0.35,
    similar_place: float = 0.2,
    same: float = 0.7,
    merge: float = 0.3,
    min_size: int = 2,
    top: int | None = None,
    now: datetime | None = None,
) -> list[Hotspot]:
    """Hotspots among `messages`, hottest first. `now` dates recency (default: the newest
    message)."""
    import numpy as np

    if not messages:
        return []
    place_sets = [places(f"{m.subject} {m.detail[:300]}") for m in messages]
    vectors = _vectors(messages, place_sets)
    sims = (vectors @ vectors.T).tocoo()
    keep = (sims.row < sims.col) & (sims.data >= min(similar, similar_place))
    rows, cols, values = sims.row[keep], sims.col[keep], sims.data[keep]
    areas = [m.area or next(iter(admin_areas(m.subject + m.detail)), "") for m in messages]
    seconds = np.array([m.at.timestamp() for m in messages])

    groups = _Groups(len(messages))
    for i, j, s in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
        apart = abs(seconds[i] - seconds[j]) / 86400
        a, b = place_sets[i], place_sets[j]
        shared = _shared_places(a, b) if a and b else []
        if shared:
            narrow = any(not WIDE_RE.search(x) for x in shared)
            linked = s >= (similar_place if narrow else similar) and apart <= place_window_days
        elif a and b:
            linked = False  # two different places: two problems, however alike the words
        elif s >= same:
            linked = apart <= window_days
        else:
            linked = not a and not b and areas[i] == areas[j] and s >= similar
            linked = linked and apart <= window_days
        if linked:
            groups.join(i, j)

    found = [g for g in groups.members() if len(g) >= 2]
    found = _merge_by_place(found, vectors, place_sets, merge)
    newest = now or max(m.at for m in messages)
    hotspots = [
        _describe(g, messages, vectors, place_sets, areas, newest)
        for g in found
        if len(g) >= min_size
    ]
    hotspots.sort(key=lambda h: (-h.heat, h.start))
    return hotspots[:top] if top else hotspots


def _main_place(members: list[int], place_sets) -> str:
    counts: Counter[str] = Counter()
    for i in members:
        counts.update(place_sets[i])
    return counts.most_common(1)[0][0] if counts else ""


def _merge_by_place(found: list[list[int]], vectors, place_sets, merge: float):
    """Groups with the same main place whose centroids overlap in meaning become one."""
    import numpy as np

    by_place: dict[str, list[int]] = {}
    for n, members in enumerate(found):
        place = _main_place(members, place_sets)
        if place:
            by_place.setdefault(place, []).append(n)
    joined = _Groups(len(found))
    for indexes in by_place.values():
        if len(indexes) < 2:
            continue
        centroids = np.vstack([np.asarray(vectors[found[n]].mean(axis=0)) for n in indexes])
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids = centroids / np.maximum(norms, 1e-12)
        overlap = centroids @ centroids.T
        for x in range(len(indexes)):
            for y in range(x + 1, len(indexes)):
                if overlap[x, y] >= merge:
                    joined.join(indexes[x], indexes[y])
    return [[i for n in group for i in found[n]] for group in joined.members()]


def _describe(members, messages, vectors, place_sets, areas, newest: datetime) -> Hotspot:
    group = [messages[i] for i in members]
    sub = vectors[members]
    centrality = (sub @ sub.T).sum(axis=1).A1
    representative = group[int(centrality.argmax())]
    area = Counter(areas[i] for i in members if areas[i]).most_common(1)
    named = CUT_RE.sub("", _main_place(members, place_sets))  # shown to a reader
    named = named if len(named) >= 3 else ""
    place = " ".join(x for x in (area[0][0] if area else "", named) if x)
    start = min(m.at for m in group)
    end = max(m.at for m in group)
    citizens = len({m.user or m.id for m in group})
    likes = sum(m.likes + m.against for m in group)
    span = (end - start).total_seconds() / 86400
    age = (newest - end).total_seconds() / 86400
    return Hotspot(
        member_ids=[m.id for m in sorted(group, key=lambda m: (m.at, m.id))],
        place=place,
        start=start,
        end=end,
        heat=heat_index(citizens, likes, len(group), span, age),
        title=representative.subject,
        likes=likes,
        citizens=citizens,
    )


def score_groups(found: Sequence[Hotspot], labelled: dict[str, list[str]], *, top: int = 20):
    """How the first `top` hotspots recover groups a reader made: for each labelled group,
    the hotspot holding most of its members, its recall (share of the group inside it)
    and purity (share of the hotspot that belongs to the group)."""
    shown = [set(h.member_ids) for h in found[:top]]
    scores = {}
    for label, ids in labelled.items():
        wanted = set(ids)
        best = max(range(len(shown)), key=lambda k: len(shown[k] & wanted), default=-1)
        hit = len(shown[best] & wanted) if best >= 0 else 0
        scores[label] = {
            "rank": best + 1 if hit else None,
            "recall": round(hit / len(wanted), 3),
            "purity": round(hit / len(shown[best]), 3) if hit else 0.0,
        }
    return scores


def read_messages(path) -> list[Message]:
    """Messages from a CSV with id, subject, detail, time and optionally user, likes,
    against (the columns of Teddy Cup's `hotspots.csv`), gzip allowed."""
    from hotline.intelligence.text import read_rows

    def number(value: str | None) -> int:
        try:
            return int(float(value or 0))
        except ValueError:
            return 0

    messages = []
    for row in read_rows(path):
        messages.append(
            Message(
                id=(row.get("id") or "").strip(),
                subject=row.get("subject") or "",
                detail=row.get("detail") or "",
                at=datetime.fromisoformat((row.get("time") or "").strip()),
                likes=number(row.get("likes")),
                against=number(row.get("against")),
                user=row.get("user") or "",
            )
        )
    return messages
