"""Hotspots (R-DA-3, R-DA-4): messages about the same problem at the same place within a
time window, grouped and ranked by a heat index. Pure: no ORM; `selectors` feeds it the
city's tickets, the `intelligence hotspots` command a CSV like Teddy Cup's `hotspots.csv`.

Two messages are linked when they were written at most `window_days` apart and
- their texts are similar (cosine of word TF-IDF ≥ `similar`) and they name the same
  place (a named place such as 丽发新城 or 伊景园滨河苑 in common, or, when neither names
  one, the same district), or
- their texts are nearly the same (cosine ≥ `same`, e.g. a repost) and they do not name
  two different places (one template complaint about two estates is two problems).
A hotspot is a connected group of linked messages (at least `min_size`).

Heat = distinct citizens + 2·ln(1 + likes + dislikes) + messages per 30 days (the
count over the span, never more than the count): many people, much support, and a burst
rank higher than one message that sat for months.
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
    r"[，。、；：？！“”（）《》,.;:?!()\s\d的在和与及临沿]"
)
PLACE_SUFFIXES = (
    "小区|花园|家园|公寓|新城|新村|城|苑|园|山庄|广场|大厦|村|社区|街道|镇|乡|大道|路|街|巷|"
    "中学|小学|学校|幼儿园|医院|公园|市场|车站|大桥|湖"
)
PLACE_RE = re.compile(rf"[\u4e00-\u9fffA-Za-z]{{1,6}}?(?:{PLACE_SUFFIXES})")
TRIM_RE = re.compile(r"(小区|居民区|片区)$")
GENERIC_PLACES = frozenset({"小区", "社区", "村", "街道", "路", "街", "学校", "医院", "市场"})
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


def places(text: str) -> set[str]:
    """Named places in `text` without their district prefix, e.g. {"丽发新城", "万家丽南路"}."""
    cleaned = NOISE_RE.sub("|", ADMIN_RE.sub("|", text))
    found = set()
    for match in PLACE_RE.findall(cleaned):
        name = TRIM_RE.sub("", match)
        if len(name) >= 3 and name not in GENERIC_PLACES:
            found.add(name)
    return found


def _same_place(a: set[str], b: set[str]) -> bool:
    return any(x in y or y in x for x in a for y in b)


def heat_index(citizens: int, likes: int, count: int, span_days: float) -> float:
    per_month = min(count, 30 * count / max(span_days, 1.0))
    return round(citizens + 2 * math.log1p(max(likes, 0)) + per_month, 2)


def find_hotspots(
    messages: Sequence[Message],
    *,
    window_days: float = 30,
    similar: float = 0.35,
    same: float = 0.7,
    min_size: int = 2,
    top: int | None = None,
) -> list[Hotspot]:
    """Hotspots among `messages`, hottest first."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not messages:
        return []
    docs = []
    for m in messages:
        words = [
            w for w in tokenize(f"{m.subject} {m.subject} {m.detail}") if w not in GENERIC_WORDS
        ]
        docs.append(" ".join(w for w in words if len(w) > 1 or "\u4e00" <= w <= "\u9fff"))
    vectors = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True).fit_transform(docs)
    sims = (vectors @ vectors.T).tocoo()
    keep = (sims.row < sims.col) & (sims.data >= similar)
    rows, cols, values = sims.row[keep], sims.col[keep], sims.data[keep]
    place_sets = [places(f"{m.subject} {m.detail[:300]}") for m in messages]
    areas = [m.area or next(iter(admin_areas(m.subject + m.detail)), "") for m in messages]
    seconds = np.array([m.at.timestamp() for m in messages])
    window = window_days * 86400

    parent = list(range(len(messages)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, s in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
        if abs(seconds[i] - seconds[j]) > window:
            continue
        a, b = place_sets[i], place_sets[j]
        if a and b:
            linked = _same_place(a, b)
        elif s >= same:
            linked = True
        else:
            linked = not a and not b and areas[i] == areas[j]
        if linked:
            parent[find(i)] = find(j)

    groups: dict[int, list[int]] = {}
    for i in range(len(messages)):
        groups.setdefault(find(i), []).append(i)

    hotspots = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        hotspots.append(_describe(members, messages, vectors, place_sets, areas))
    hotspots.sort(key=lambda h: (-h.heat, h.start))
    return hotspots[:top] if top else hotspots


def _describe(members, messages, vectors, place_sets, areas) -> Hotspot:
    group = [messages[i] for i in members]
    sub = vectors[members]
    centrality = (sub @ sub.T).sum(axis=1).A1
    representative = group[int(centrality.argmax())]
    counts: Counter[str] = Counter()
    for i in members:
        counts.update(place_sets[i])
    area = Counter(areas[i] for i in members if areas[i]).most_common(1)
    named = counts.most_common(1)
    place = " ".join(x for x in (area[0][0] if area else "", named[0][0] if named else "") if x)
    start = min(m.at for m in group)
    end = max(m.at for m in group)
    citizens = len({m.user or m.id for m in group})
    likes = sum(m.likes + m.against for m in group)
    span = (end - start).total_seconds() / 86400
    return Hotspot(
        member_ids=[m.id for m in sorted(group, key=lambda m: (m.at, m.id))],
        place=place,
        start=start,
        end=end,
        heat=heat_index(citizens, likes, len(group), span),
        title=representative.subject,
        likes=likes,
        citizens=citizens,
    )


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
