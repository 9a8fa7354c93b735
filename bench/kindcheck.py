"""Kind check (质检) against the citizens' own kind words (issue 18 part 3).

The annex messages (`hotspots.csv`, `unlabelled.csv`) whose subject starts with one kind
word (投诉 举报 咨询 建议 求助) are the labelled sample: the citizen named the kind. The
kind check reads the DETAIL only (the subject, which holds the label, is left out) and
says which kind the text reads as; "agreement" is the share where that is the citizen's
kind, among the messages it is sure of (at least MIN_CUES cues), beside the
majority-class baseline on the same messages. Run: .venv/bin/python bench/kindcheck.py
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "teddy2020"
WORDS = {
    "投诉": "complaint",
    "举报": "report",
    "咨询": "consult",
    "建议": "suggest",
    "求助": "help",
}


def main() -> None:
    from hotline.intelligence.kindcheck import MIN_CUES, check_kind, text_kind

    rows = []
    for name in ("hotspots.csv", "unlabelled.csv"):
        with (DATA / name).open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                subject = (row.get("subject") or "").strip()
                for word, kind in WORDS.items():
                    if subject.startswith(word) or subject.startswith(f"关于{word}"):
                        rows.append((kind, row.get("detail") or ""))
                        break
    truth = Counter(k for k, _ in rows)
    sure = [(k, *text_kind("", d)[:2]) for k, d in rows]
    sure = [(k, p) for k, p, score in sure if score >= MIN_CUES]
    agree = sum(k == p for k, p in sure)
    majority, _ = Counter(k for k, _ in sure).most_common(1)[0]
    base = sum(k == majority for k, _ in sure)
    print(f"labelled messages (subject starts with a kind word): {len(rows)} {dict(truth)}")
    print(f"kind check sure of {len(sure)} ({len(sure) / len(rows):.0%})")
    print(
        f"agreement: kind check {agree / len(sure):.3f}  majority class ({majority}) "
        f"{base / len(sure):.3f}  ratio {agree / max(base, 1):.2f}"
    )
    # the flag itself: a message recorded as consultation that the citizen called a complaint
    complaints = [d for k, d in rows if k == "complaint"]
    consults = [d for k, d in rows if k == "consult"]
    hit = sum(check_kind("", d, "consult") is not None for d in complaints)
    false = sum(check_kind("", d, "consult") is not None for d in consults)
    print(
        f"recorded as consultation: flags {hit} of {len(complaints)} complaints, "
        f"{false} of {len(consults)} true consultations"
    )


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    main()
