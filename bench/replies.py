"""Benchmark of the reply check (R-UN-5) against a length baseline from the same run.

Run from the repository root::

    .venv/bin/python bench/replies.py [--data ../shared/data/teddy2020]

Data: `replies.csv` (Teddy Cup 2020 附件4: message, official reply) with labels two teams
made by hand. `interpretability_syu` (every row; 0 = the reply explains nothing: a form
letter, "passed on to X", "call this number") is the main target: a reply should be
flagged when it is 0. `completeness_rollbear` (100 rows; 0 = the reply does not answer
everything) is reported beside it; it was never used to set a threshold.

Split, fixed before any rule was written: a row is in the TUNE half when the first byte
of md5(id) is even, else in the TEST half. The rules' thresholds and the baseline's length
threshold were chosen on TUNE; the numbers to quote are those of TEST.

Baseline: flag a reply shorter than N characters, N chosen for the best F1 on TUNE.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddy2020"


def half(row_id: str) -> str:
    return "tune" if hashlib.md5(row_id.encode()).digest()[0] % 2 == 0 else "test"


def prf(flags: list[bool], truth: list[bool]) -> tuple[float, float, float]:
    tp = sum(f and t for f, t in zip(flags, truth, strict=True))
    p = tp / max(1, sum(flags))
    r = tp / max(1, sum(truth))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(data: Path) -> None:
    import django

    django.setup()
    from django.utils import translation

    from hotline.intelligence.replies import check_reply

    translation.activate("en")
    with open(data / "replies.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    started = time.perf_counter()
    checks = {
        r["id"]: check_reply(r["subject"] + "\n" + r["detail"], r["reply"], subject=r["subject"])
        for r in rows
    }
    ms = 1000 * (time.perf_counter() - started) / len(rows)

    def length(r):
        return len(r["reply"])

    tune = [r for r in rows if half(r["id"]) == "tune"]
    best_n, best_f = 0, -1.0
    for n in range(10, 301, 5):
        f = prf([length(r) < n for r in tune], [r["interpretability_syu"] == "0" for r in tune])[2]
        if f > best_f:
            best_n, best_f = n, f

    print(f"rows {len(rows)}; check {ms:.2f} ms/reply; baseline: reply shorter than {best_n} chars")
    print(f"{'label':26} {'half':5} {'n':>5} {'bad':>4}  {'system':14} {'P':>6} {'R':>6} {'F1':>6}")
    for label in ("interpretability_syu", "completeness_rollbear", "interpretability_rollbear"):
        for name in ("tune", "test", "all"):
            if label != "interpretability_syu" and name != "all":
                continue  # 100 rows: too few to halve
            part = [r for r in rows if r[label] and (name == "all" or half(r["id"]) == name)]
            if not part:
                continue
            truth = [r[label] == "0" for r in part]
            systems = [
                (f"length<{best_n}", [length(r) < best_n for r in part]),
                ("reply check", [checks[r["id"]].flagged for r in part]),
            ]
            if label != "interpretability_syu":  # long replies: the warnings, not the flag
                systems += [
                    ("flag all", [True] * len(part)),
                    ("any finding", [bool(checks[r["id"]].findings) for r in part]),
                ]
            for system, flags in systems:
                p, rc, f = prf(flags, truth)
                print(
                    f"{label:26} {name:5} {len(part):5} {sum(truth):4}  {system:14} "
                    f"{p:6.3f} {rc:6.3f} {f:6.3f}"
                )
    test = [r for r in rows if half(r["id"]) == "test"]
    _, _, f_base = prf(
        [length(r) < best_n for r in test], [r["interpretability_syu"] == "0" for r in test]
    )
    _, _, f_check = prf(
        [checks[r["id"]].flagged for r in test], [r["interpretability_syu"] == "0" for r in test]
    )
    print(
        "ratio F1 reply check / length baseline (interpretability_syu, TEST half): "
        f"{f_check / f_base:.3f}"
    )
    findings = Counter(code for c in checks.values() for code in set(c.codes))
    print("findings on all rows:", ", ".join(f"{k} {v}" for k, v in findings.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    options = parser.parse_args()
    if not (options.data / "replies.csv").is_file():
        sys.exit(f"no replies.csv in {options.data}")
    run(options.data)


if __name__ == "__main__":
    main()
