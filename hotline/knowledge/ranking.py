"""Ranking knowledge entries for a caller's question (R-KB, R-HM-1). Pure: no ORM.

Each entry is indexed under two kinds of terms: jieba words (search mode, so 住房公积金
also yields 公积金) and the character bigrams of its CJK runs, which catch words that jieba
cuts differently in the question and in the entry. Terms are weighted by BM25 (Lucene's
non-negative idf) in three fields: title and keywords count `TITLE_WEIGHT` times, the
topic path `TOPIC_WEIGHT` times, the answer and body once. Query words are expanded with
the synonyms in `synonyms.py` at a lower weight.

The index is a sparse term × entry matrix of precomputed BM25 weights (scipy CSR): a
query is the weighted sum of its terms' rows, so its cost is the length of their posting
lists, not the number of entries. Dates are arrays, so "valid on a day" is a mask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import sparse

from hotline.knowledge.synonyms import expand

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
TOPIC_WEIGHT = 1.5
BIGRAM_WEIGHT = 0.6  # bigram terms count less than whole words
SYNONYM_WEIGHT = 0.7
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 80  # the rarest ones; a long question is cut to its telling words
TOPIC_BOOST = 1.3  # an entry in the topic the operator chose

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
WORD = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
NO_DATE = 0
FAR_FUTURE = date(9999, 12, 31).toordinal()

# Function words and politeness that say nothing about the matter.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "我",
        "我们",
        "你",
        "您",
        "他",
        "她",
        "它",
        "他们",
        "和",
        "与",
        "及",
        "以及",
        "或",
        "等",
        "有",
        "也",
        "就",
        "都",
        "而",
        "对",
        "为",
        "请",
        "请问",
        "问",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "哦",
        "这",
        "那",
        "这个",
        "那个",
        "什么",
        "怎么",
        "怎么办",
        "如何",
        "一下",
        "一个",
        "可以",
        "能",
        "能否",
        "是否",
        "没有",
        "不",
        "要",
        "会",
        "还",
        "又",
        "把",
        "被",
        "让",
        "给",
        "从",
        "到",
        "向",
        "于",
        "上",
        "下",
        "中",
        "里",
        "说",
        "想",
        "知道",
        "需要",
        "反映",
        "咨询",
        "市民",
        "来电",
        "您好",
        "你好",
        "谢谢",
        "感谢",
        "关于",
        "进行",
        "已经",
        "现在",
        "目前",
        "情况",
        "问题",
        "相关",
        "有关",
        "工作",
        "部门",
        "单位",
        "答复",
        "如下",
        "网友",
        "留言",
    ]
)
STOP_BIGRAMS = frozenset({"请问", "我们", "您好", "你好", "谢谢", "什么", "怎么", "可以", "是否"})

_jieba = None


def _cutter():
    global _jieba
    if _jieba is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """jieba search-mode words, lower-cased, without stop words and punctuation."""
    return [
        w
        for w in (t.strip().lower() for t in _cutter().cut_for_search(text or ""))
        if w and WORD.search(w) and w not in STOPWORDS
    ]


def bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in CJK_RUN.findall(text or ""):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return ["\x01" + g for g in out if g not in STOP_BIGRAMS]


def terms(text: str) -> list[str]:
    """What a field is indexed under: its words and its CJK bigrams."""
    return words(text) + bigrams(text)


def index_text(title: str, body: str, topic_path: str = "") -> str:
    """The terms of an entry, kept with its version so the index is rebuilt without
    jieba: title terms are repeated (the title weight), then `|` then topic, then body."""
    return "\t".join((" ".join(terms(title)), " ".join(terms(topic_path)), " ".join(terms(body))))


def _term_counts(text: str) -> tuple[dict[str, float], int]:
    title, topic, body = ([*part.split(" ")] if part else [] for part in text.split("\t"))
    counts: dict[str, float] = {}
    for weight, part in ((TITLE_WEIGHT, title), (TOPIC_WEIGHT, topic), (1.0, body)):
        for term in part:
            counts[term] = counts.get(term, 0.0) + weight
    return counts, len(title) + len(body)


@dataclass(frozen=True)
class Doc:
    key: int  # the version id
    text: str  # from index_text()
    effective: date | None = None
    expires: date | None = None
    topic_id: int | None = None


@dataclass
class Hit:
    key: int
    score: float


@dataclass
class Index:
    keys: np.ndarray
    vocabulary: dict[str, int]
    weights: sparse.csr_matrix  # terms × docs
    effective: np.ndarray
    expires: np.ndarray
    topics: np.ndarray
    idf: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.keys)


def build(docs: Sequence[Doc]) -> Index:
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    tfs: list[float] = []
    lengths = np.zeros(len(docs), dtype=np.float64)
    for column, doc in enumerate(docs):
        counts, length = _term_counts(doc.text)
        lengths[column] = length
        for term, count in counts.items():
            rows.append(vocabulary.setdefault(term, len(vocabulary)))
            cols.append(column)
            tfs.append(count)
    n = max(len(docs), 1)
    row = np.asarray(rows, dtype=np.int32)
    col = np.asarray(cols, dtype=np.int32)
    tf = np.asarray(tfs, dtype=np.float64)
    df = np.bincount(row, minlength=len(vocabulary)).astype(np.float64)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    average = float(lengths.mean()) if len(docs) else 1.0
    norm = K1 * (1 - B + B * lengths / max(average, 1e-9))
    weight = idf[row] * tf * (K1 + 1) / (tf + norm[col])
    matrix = sparse.csr_matrix(
        (weight.astype(np.float32), (row, col)), shape=(len(vocabulary), len(docs))
    )
    return Index(
        keys=np.asarray([d.key for d in docs], dtype=np.int64),
        vocabulary=vocabulary,
        weights=matrix,
        effective=np.asarray(
            [d.effective.toordinal() if d.effective else NO_DATE for d in docs], dtype=np.int32
        ),
        expires=np.asarray(
            [d.expires.toordinal() if d.expires else FAR_FUTURE for d in docs], dtype=np.int32
        ),
        topics=np.asarray([d.topic_id or 0 for d in docs], dtype=np.int64),
        idf=idf,
    )


def query_terms(question: str) -> dict[str, float]:
    """The query's terms with their weights: words (and their synonyms) and bigrams."""
    text = (question or "")[:MAX_QUERY_CHARS]
    weighted: dict[str, float] = {}
    for word in words(text):
        weighted[word] = weighted.get(word, 0.0) + 1.0
        for synonym in expand(word):
            for term in terms(synonym):
                weighted.setdefault(term, SYNONYM_WEIGHT)
    for gram in bigrams(text):
        weighted[gram] = weighted.get(gram, 0.0) + BIGRAM_WEIGHT
    return weighted


def search(
    index: Index,
    question: str,
    *,
    limit: int = 10,
    on: date | None = None,
    topic_ids: Sequence[int] = (),
    allowed: np.ndarray | None = None,
) -> list[Hit]:
    """The best `limit` entries for the question; with `on`, only those valid that day;
    entries in `topic_ids` get a boost; `allowed` is a boolean mask over the docs."""
    if not len(index):
        return []
    weighted = query_terms(question)
    known = [(index.vocabulary[t], w) for t, w in weighted.items() if t in index.vocabulary]
    if not known:
        return []
    if len(known) > MAX_QUERY_TERMS:  # keep the rarest: they decide the ranking
        known.sort(key=lambda item: -index.idf[item[0]])
        known = known[:MAX_QUERY_TERMS]
    ids = np.fromiter((i for i, _w in known), dtype=np.int64, count=len(known))
    q = np.fromiter((w for _i, w in known), dtype=np.float32, count=len(known))
    scores = np.asarray(index.weights[ids].T @ q).ravel()
    if topic_ids:
        scores = np.where(np.isin(index.topics, list(topic_ids)), scores * TOPIC_BOOST, scores)
    mask = scores > 0
    if on is not None:
        day = on.toordinal()
        mask &= (index.effective <= day) & (index.expires >= day)
    if allowed is not None:
        mask &= allowed
    candidates = np.flatnonzero(mask)
    if not len(candidates):
        return []
    if len(candidates) > limit:
        top = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
    else:
        top = candidates
    top = top[np.lexsort((index.keys[top], -scores[top]))]
    return [Hit(key=int(index.keys[i]), score=round(float(scores[i]), 4)) for i in top]


def highlight_words(question: str) -> list[str]:
    """Words of the question worth marking in a result (two characters or more)."""
    found = {w for w in words((question or "")[:MAX_QUERY_CHARS]) if len(w) >= 2}
    return sorted(found, key=len, reverse=True)[:30]


def is_meaningful(question: str) -> bool:
    """At least two letters, digits or CJK characters: one character or punctuation alone
    is no question to search for."""
    return len(WORD.findall(question or "")) >= 2


def rank_of(ranked: Sequence[int], wanted: int) -> int | None:
    """1-based rank of `wanted` in `ranked`, None if absent (for the benchmark)."""
    for position, key in enumerate(ranked, start=1):
        if key == wanted:
            return position
    return None


def reciprocal_rank(rank: int | None, cutoff: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= cutoff else 0.0
