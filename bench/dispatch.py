"""Benchmark of the dispatch suggestion (派单建议, R-HM-9; issue 8): top-1 / top-3 of the
unit that finally handled held-back tickets, beside baselines from the same run.

Run from the repository root::

    .venv/bin/python bench/dispatch.py [--demo-tickets 600] [--seed 12345]

Two histories, each split into an older part the suggestion learns from and a held-back
part it is scored on (the unit that finally replied, after any send-back):

A. The demo city (hotline.site.demo + hotline.tickets.demo, made through the services in
   a temporary SQLite database), read by `routing.history_cases` as the product reads it.
   Its history is small and, by construction, mostly random: the demo sends a ticket to
   its class's unit, 住建局, 城管局 or 城东街道 at random, and only these three units have
   demo accounts to reply, so the finished tickets' units barely depend on their text.
   The numbers are printed to show that, not to judge the method.
B. A larger generated history: the 8,159 labelled messages of the Teddy Cup annex
   (../shared/data/teddy2020, read at run time), each one ticket in one of the city's seven
   towns and streets. Its final unit follows the message's human label (城乡建设 → 住建局,
   劳动和社会保障 → 人社局, ...), except that in the three towns a town matter
   (城乡建设, 环境保护) is handled by the town government half of the time; 20% of the
   tickets were first sent to another unit (the catalog's first unit when it is wrong,
   else a random one) that sent them back. 80% of the messages are history, 20% held
   back; history messages that are near-copies of a held-back one (character-bigram
   Jaccard >= 0.5, found with the duplicate index's MinHash) are dropped.

Methods: most frequent unit; catalog keywords only (`catalog_suggest`); similar-ticket
history only; the product's `routing.rank` (history + catalog + place). Every method's
list is filled up with the most frequent units so each names three.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddy2020"
LABEL_UNIT = {
    "城乡建设": "QX-ZJJ",
    "劳动和社会保障": "QX-RSJ",
    "教育文体": "QX-JYJ",
    "卫生计生": "QX-WJJ",
    "交通运输": "QX-JTJ",
    "商贸旅游": "QX-SJJ",
    "环境保护": "QX-HBJ",
}
AREAS = ["QX-KFQ", "QX-CD", "QX-CX", "QX-JB", "QX-BS", "QX-SQ", "QX-ML"]
TOWNS = {"QX-BS", "QX-SQ", "QX-ML"}


def setup() -> None:
    import tempfile

    os.environ["HOTLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="hotline-bench-dispatch-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill_to(units: list[int], order: list[int], k: int = 3) -> list[int]:
    out = list(dict.fromkeys(units))
    for u in order:
        if len(out) >= k:
            break
        if u not in out:
            out.append(u)
    return out[:k]


def evaluate(name_cases, history_cases, items, use_place: bool = True) -> dict[str, tuple]:
    from hotline.directory.selectors import catalog_suggest, today
    from hotline.intelligence.routing import History, rank

    started = time.perf_counter()
    history = History(history_cases)
    build = time.perf_counter() - started
    order = [u for u, _n in Counter(c.unit_id for c in history_cases).most_common()]
    methods = {
        "most frequent unit": [],
        "catalog keywords only": [],
        "similar-ticket history only": [],
        "routing.rank (product)": [],
    }
    day = today()
    seconds = 0.0
    for case in name_cases:
        catalog: dict[int, float] = {}
        for s in catalog_suggest(text=case.text, on=day, limit=20, items=items):
            catalog[s.item.unit_id] = catalog.get(s.item.unit_id, 0) + s.score
        by_catalog = sorted(catalog, key=lambda u: (-catalog[u], u))
        only_history = [r.unit_id for r in rank(case.text, history=history)]
        started = time.perf_counter()
        product = [
            r.unit_id
            for r in rank(
                case.text,
                history=history,
                catalog=catalog,
                region_id=case.region_id if use_place else None,
            )
        ]
        seconds += time.perf_counter() - started
        for name, units in (
            ("most frequent unit", []),
            ("catalog keywords only", by_catalog),
            ("similar-ticket history only", only_history),
            ("routing.rank (product)", product),
        ):
            methods[name].append(fill_to(units, order))
    truth = [c.unit_id for c in name_cases]
    out = {}
    for name, lists in methods.items():
        top1 = sum(t == ls[0] for t, ls in zip(truth, lists, strict=True)) / len(truth)
        top3 = sum(t in ls for t, ls in zip(truth, lists, strict=True)) / len(truth)
        out[name] = (top1, top3)
    out["_timing"] = (build, 1000 * seconds / max(1, len(name_cases)))
    return out


def show(title: str, results: dict, n_hist: int, n_test: int) -> None:
    build, per = results.pop("_timing")
    print(f"\n{title}: {n_hist:,} history tickets, {n_test:,} held back")
    print(f"{'method':<32}{'top-1':>8}{'top-3':>8}")
    for name, (top1, top3) in results.items():
        print(f"{name:<32}{top1:>8.3f}{top3:>8.3f}")
    print(f"(history index built in {build:.1f} s; {per:.1f} ms per suggestion)")


def part_a(count: int, seed: int) -> None:
    from hotline.directory.models import Unit
    from hotline.directory.selectors import catalog_in_force, today
    from hotline.intelligence.routing import history_cases
    from hotline.site.demo import build_demo_city
    from hotline.tickets.demo import build_demo_tickets

    build_demo_city()
    started = time.perf_counter()
    build_demo_tickets(count=count, seed=seed)
    print(
        f"demo city: {count} tickets made through the services in "
        f"{time.perf_counter() - started:.0f} s"
    )
    cases = history_cases()  # newest first
    codes = dict(Unit.objects.values_list("pk", "code"))
    spread = Counter(codes[c.unit_id] for c in cases)
    print(
        f"finished tickets by final unit: {dict(spread)}; "
        f"{sum(bool(c.returned) for c in cases)} with a send-back"
    )
    held = max(1, len(cases) // 4)
    items = list(catalog_in_force(on=today()))
    show("A. demo city", evaluate(cases[:held], cases[held:], items), len(cases) - held, held)


def annex_rows() -> list[tuple[str, str]]:
    raw = gzip.decompress((DATA / "annex2_tokenised.csv.gz").read_bytes()).decode("utf-8-sig")
    return [(r["label"], r["tokens"].replace(" ", "")) for r in csv.DictReader(io.StringIO(raw))]


def part_b(seed: int) -> None:
    from hotline.directory.models import Unit
    from hotline.directory.selectors import catalog_in_force, catalog_suggest, today
    from hotline.intelligence import duplicates as d
    from hotline.intelligence.routing import Case

    rng = random.Random(seed)
    ids = dict(Unit.objects.values_list("code", "pk"))
    items = list(catalog_in_force(on=today()))
    all_units = sorted(ids[c] for c in set(LABEL_UNIT.values()) | set(AREAS) | {"QX-CGJ"})
    cases: list[Case] = []
    for label, text in annex_rows():
        area = rng.choice(AREAS)
        final = LABEL_UNIT[label]
        if area in TOWNS and label in ("城乡建设", "环境保护") and rng.random() < 0.5:
            final = area
        returned: tuple[int, ...] = ()
        if rng.random() < 0.2:
            first = next(
                (s.item.unit_id for s in catalog_suggest(text=text, on=today(), items=items)),
                None,
            )
            if first is None or first == ids[final]:
                first = rng.choice([u for u in all_units if u != ids[final]])
            returned = (first,)
        cases.append(Case(text=text, unit_id=ids[final], returned=returned, region_id=ids[area]))
    rng.shuffle(cases)
    held = len(cases) // 5
    test, train = cases[:held], cases[held:]
    # Drop history messages that are near-copies of a held-back one (reposts).
    keys: dict[int, list[int]] = {}
    test_shingles = [d.shingles(c.text) for c in test]
    for i, c in enumerate(test):
        for k in d.band_keys(c.text):
            keys.setdefault(k, []).append(i)
    kept = []
    for c in train:
        near = {i for k in d.band_keys(c.text) for i in keys.get(k, [])}
        mine = d.shingles(c.text)
        if not any(d.jaccard(mine, test_shingles[i]) >= 0.5 for i in near):
            kept.append(c)
    print(
        f"\ngenerated history: {len(cases):,} tickets; {len(train) - len(kept)} history "
        f"near-copies of held-back tickets dropped"
    )
    show("B. generated history", evaluate(test, kept, items), len(kept), len(test))
    results = evaluate(test, kept, items, use_place=False)
    results.pop("_timing")
    top1, top3 = results["routing.rank (product)"]
    print(f"{'routing.rank without the place':<32}{top1:>8.3f}{top3:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo-tickets", type=int, default=600)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    setup()
    part_a(args.demo_tickets, args.seed)
    part_b(args.seed)


if __name__ == "__main__":
    main()
