"""Benchmark of the knowledge search (R-KB, R-HM-1) against plain BM25 in the same run.

Run from the repository root::

    .venv/bin/python bench/knowledge.py [--data ../shared/data/teddy2020] [--size 100000]

Quality: the 2,816 official replies of `replies.csv` (Teddy Cup 2020 附件4) become
entries, the reply as the answer and nothing of the question in the entry. Each message
(subject + detail) is then searched for; its own reply is the one right answer. Reported:
MRR@10, recall@1, recall@3 and recall@10 of `hotline.knowledge.ranking` (jieba search-mode
words + CJK bigrams, BM25 with synonyms) beside the baseline: rank-bm25's BM25Okapi over
jieba precise-mode tokens of the same texts, computed in this run.

Speed: p50 / p95 of one search (question tokenised, scored, top 10) over an index of
`--size` entries. The replies alone are 2,816, so the rest are made by joining random
sentences of the replies and the citizens' messages (hotspots.csv, unlabelled.csv): the
vocabulary and document lengths of real entries, not their meaning. The baseline's
latency is measured on the same index: rank-bm25's own get_scores() (a Python loop over
every document per query token) for a few queries, and the same BM25 scores as a sparse
matrix product for all of them.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddy2020"
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
        "recall@1": sum(1 for r in ranks if r and r <= 1) / n,
        "recall@3": sum(1 for r in ranks if r and r <= 3) / n,
        "recall@10": sum(1 for r in ranks if r and r <= 10) / n,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bm25_matrix(bm25):
    """rank-bm25's BM25Okapi scores as a sparse matrix: the same idf (rank-bm25's own,
    negative ones floored as it does), k1, b and lengths, so `q @ M` equals get_scores()
    (checked below) without its Python loop over every document for every query token."""
    import numpy as np
    from scipy import sparse

    vocab = {t: i for i, t in enumerate(bm25.idf)}
    rows, cols, vals = [], [], []
    for d, freqs in enumerate(bm25.doc_freqs):
        norm = bm25.k1 * (1 - bm25.b + bm25.b * bm25.doc_len[d] / bm25.avgdl)
        for term, tf in freqs.items():
            rows.append(vocab[term])
            cols.append(d)
            vals.append(bm25.idf[term] * tf * (bm25.k1 + 1) / (tf + norm))
    shape = (len(vocab), len(bm25.doc_freqs))
    return vocab, sparse.csr_matrix((np.asarray(vals), (rows, cols)), shape=shape)


def bm25_scores(vocab, matrix, tokens):
    import numpy as np

    ids = [vocab[t] for t in tokens if t in vocab]  # repeats count, as in get_scores
    counts = np.bincount(ids, minlength=matrix.shape[0]) if ids else None
    if counts is None:
        return np.zeros(matrix.shape[1])
    nz = np.flatnonzero(counts)
    return np.asarray(matrix[nz].T @ counts[nz]).ravel()


def quality(rows, ranking, jieba):
    import numpy as np
    from rank_bm25 import BM25Okapi

    started = time.perf_counter()
    docs = [ranking.Doc(i, ranking.index_text("", row["reply"])) for i, row in enumerate(rows)]
    index = ranking.build(docs)
    ours_build = time.perf_counter() - started
    started = time.perf_counter()
    baseline = BM25Okapi([jieba.lcut(row["reply"]) for row in rows])
    vocab, matrix = bm25_matrix(baseline)
    base_build = time.perf_counter() - started

    ours_ranks, base_ranks = [], []
    for i, row in enumerate(rows):
        question = f"{row['subject']}{row['detail']}"
        hits = ranking.search(index, question, limit=10)
        ours_ranks.append(ranking.rank_of([h.key for h in hits], i))
        tokens = jieba.lcut(question)
        scores = bm25_scores(vocab, matrix, tokens)
        if i < 10:  # the fast path is rank-bm25's own scoring
            assert np.allclose(scores, baseline.get_scores(tokens)), i
        top = np.argsort(-scores, kind="stable")[:10]
        base_ranks.append(ranking.rank_of([int(t) for t in top], i))
    return metrics(ours_ranks), metrics(base_ranks), ours_build, base_build


def synthetic(rows, others, size: int, ranking, jieba, seed: int = 0):
    """`size` docs: the replies, then joins of 3–8 random sentences (terms cached per
    sentence, so jieba runs once per sentence, not once per document). Returns our docs
    and the baseline's token lists."""
    rng = random.Random(seed)
    sentences = []
    for text in [r["reply"] for r in rows] + others:
        sentences.extend(s.strip() for s in SENTENCE.findall(text) if len(s.strip()) > 4)
    sentences = sentences[:60000]
    cached = [" ".join(ranking.terms(s)) for s in sentences]
    plain = [[w for w in jieba.cut(s) if w.strip()] for s in sentences]
    docs = [ranking.Doc(i, ranking.index_text("", r["reply"])) for i, r in enumerate(rows)]
    tokens = [[w for w in jieba.cut(r["reply"]) if w.strip()] for r in rows]
    for key in range(len(rows), size):
        picked = [rng.randrange(len(sentences)) for _ in range(rng.randint(3, 8))]
        docs.append(ranking.Doc(key, "\t\t" + " ".join(cached[p] for p in picked)))
        tokens.append([w for p in picked for w in plain[p]])
    return docs, tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--baseline-queries", type=int, default=3)
    options = parser.parse_args()

    import django

    django.setup()
    import jieba
    import numpy as np
    from rank_bm25 import BM25Okapi

    from hotline.knowledge import ranking

    rows = read(options.data / "replies.csv")
    ranking.words("预热")  # load jieba before timing
    ours, base, ours_build, base_build = quality(rows, ranking, jieba)
    print(f"quality on {len(rows)} replies (each message searched for its own reply)")
    print(f"{'':<26}{'MRR@10':>8}{'R@1':>8}{'R@3':>8}{'R@10':>8}")
    for name, m in (("hotline ranking", ours), ("baseline rank-bm25/jieba", base)):
        print(
            f"{name:<26}{m['MRR@10']:>8.3f}{m['recall@1']:>8.3f}"
            f"{m['recall@3']:>8.3f}{m['recall@10']:>8.3f}"
        )
    print(
        f"ratio ours/baseline: MRR@10 {ours['MRR@10'] / base['MRR@10']:.3f}, "
        f"recall@3 {ours['recall@3'] / base['recall@3']:.3f}"
    )
    print(f"index build on {len(rows)}: ours {ours_build:.1f} s, baseline {base_build:.1f} s")

    others = [f"{r['subject']}。{r['detail']}" for r in read(options.data / "hotspots.csv")]
    others += [f"{r['subject']}。{r['detail']}" for r in read(options.data / "unlabelled.csv")]
    started = time.perf_counter()
    docs, tokens = synthetic(rows, others, options.size, ranking, jieba)
    made = time.perf_counter() - started
    started = time.perf_counter()
    index = ranking.build(docs)
    built = time.perf_counter() - started
    nnz = index.weights.nnz
    print(
        f"\nindex of {len(index):,} entries: {len(index.vocabulary):,} terms, {nnz:,} postings,"
        f" {index.weights.data.nbytes + index.weights.indices.nbytes:,} bytes; "
        f"texts {made:.0f} s, build {built:.1f} s"
    )
    rng = random.Random(1)
    questions = [
        f"{r['subject']}{r['detail']}" for r in rng.sample(rows, min(options.queries, len(rows)))
    ]
    timings = []
    for question in questions:
        started = time.perf_counter()
        ranking.search(index, question, limit=10, on=None)
        timings.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(timings), percentile(timings, 95)
    print(f"ours: {len(questions)} searches, p50 {p50:.1f} ms, p95 {p95:.1f} ms (goal < 50 ms)")

    started = time.perf_counter()
    baseline = BM25Okapi(tokens)
    vocab, matrix = bm25_matrix(baseline)
    base_built = time.perf_counter() - started
    fast, slow = [], []
    for n, question in enumerate(questions):
        tokens = jieba.lcut(question)
        started = time.perf_counter()
        scores = bm25_scores(vocab, matrix, tokens)
        np.argpartition(-scores, 10)[:10]
        fast.append((time.perf_counter() - started) * 1000)
        if n < options.baseline_queries:
            started = time.perf_counter()
            baseline.get_scores(tokens)
            slow.append((time.perf_counter() - started) * 1000)
    b95 = percentile(fast, 95)
    print(
        f"baseline BM25 as a sparse matrix: p50 {statistics.median(fast):.1f} ms, "
        f"p95 {b95:.1f} ms (build {base_built:.0f} s); p95 ratio ours/baseline {p95 / b95:.2f}"
    )
    print(
        f"baseline rank-bm25 get_scores(): {len(slow)} searches, "
        f"p50 {statistics.median(slow):.0f} ms, p95 {percentile(slow, 95):.0f} ms"
    )


if __name__ == "__main__":
    main()
