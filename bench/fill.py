"""Smart form filling (智能填单, issue 18 part 2): precision and recall per field on 210
hand-labelled messages (fixture `hotline/intelligence/tests/fixtures/fill_labels.json`,
ids and spans only; the texts are read from ../shared/data/teddy2020/unlabelled.csv),
beside a baseline of plain regular expressions, and the time per message.

A suggested span is correct when it overlaps a labelled span of its field; precision =
correct suggestions / suggestions, recall = labelled spans overlapped / labelled spans.
Kind: accuracy of the suggested kind (messages without a suggestion count as wrong).
Run: .venv/bin/python bench/fill.py
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "teddy2020" / "unlabelled.csv"
FIXTURE = ROOT / "hotline" / "intelligence" / "tests" / "fixtures" / "fill_labels.json"
BASELINE = {
    "place": re.compile(r"[\u4e00-\u9fff]{2,8}?(?:小区|路|街|村|镇|乡|县|区|市)"),
    "time": re.compile(r"\d{4}年|\d{1,2}月\d{1,2}日"),
    "org": re.compile(r"[\u4e00-\u9fff]{2,10}?(?:公司|局|医院|学校|法院)"),
}


def texts() -> dict[str, str]:
    with DATA.open(encoding="utf-8-sig") as handle:
        return {
            r["id"]: (r["subject"].strip() + "。" + " ".join((r["detail"] or "").split()))[:150]
            for r in csv.DictReader(handle)
        }


def gold_spans(text: str, spans: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of each labelled span (a place named twice is labelled once)."""
    return [(m.start(), m.end()) for s in spans for m in re.finditer(re.escape(s), text)]


def score(pred: list[tuple[int, int]], gold: list[tuple[int, int]], tally: list[int]) -> None:
    def overlaps(a, b):
        return a[0] < b[1] and b[0] < a[1]

    tally[0] += sum(any(overlaps(p, g) for g in gold) for p in pred)
    tally[1] += len(pred)
    tally[2] += sum(any(overlaps(p, g) for p in pred) for g in gold)
    tally[3] += len(gold)


def main() -> None:
    from hotline.intelligence import fill

    labels = json.loads(FIXTURE.read_text("utf-8"))["labels"]
    corpus = texts()
    ours = {f: [0, 0, 0, 0] for f in ("place", "time", "org")}
    base = {f: [0, 0, 0, 0] for f in ("place", "time", "org")}
    kind_ok = kind_base = 0
    fill.fill("预热")  # jieba's dictionary loads once per process
    elapsed = 0.0
    for label in labels:
        text = corpus[label["id"]]
        started = time.perf_counter()
        suggested = fill.fill(text)
        elapsed += time.perf_counter() - started
        predicted = {
            f: suggested[name].spans if name in suggested else []
            for f, name in (("place", "place"), ("time", "time"), ("org", "people"))
        }
        for f in ours:
            gold = gold_spans(text, label[f])
            score([(s.start, s.end) for s in predicted[f]], gold, ours[f])
            score([m.span() for m in BASELINE[f].finditer(text)], gold, base[f])
        kind_ok += suggested.get("kind") is not None and suggested["kind"].value == label["kind"]
        kind_base += label["kind"] == "complaint"
    n = len(labels)
    print(f"{n} messages, {1000 * elapsed / n:.1f} ms per message (jieba POS included)")
    print(f"{'field':<6} {'P':>6} {'R':>6} {'F1':>6}   {'baseline P':>10} {'R':>6} {'F1':>6}")
    for f in ours:
        row = []
        for t in (ours[f], base[f]):
            p = t[0] / max(t[1], 1)
            r = t[2] / max(t[3], 1)
            row += [p, r, 2 * p * r / max(p + r, 1e-9)]
        print(
            f"{f:<6} "
            + " ".join(f"{x:6.3f}" for x in row[:3])
            + "   "
            + " ".join(f"{x:{10 if i == 0 else 6}.3f}" for i, x in enumerate(row[3:]))
        )
    print(f"kind   accuracy {kind_ok / n:.3f}   baseline (always complaint) {kind_base / n:.3f}")


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    main()
