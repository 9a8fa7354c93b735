"""Benchmark of the near-duplicate lookup (并单 / repeats, R-IN-4; issue 8) at city scale.

Run from the repository root::

    .venv/bin/python bench/duplicates.py [--tickets 1000000] [--queries 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench_dup \
        .venv/bin/python bench/duplicates.py

It makes a fresh database (as bench/pages.py: SQLite in a temporary HOTLINE_DATA_DIR, or
the PostgreSQL database named in DATABASE_URL, created and dropped by the run), builds
the demo city, and writes `--tickets` synthetic tickets received over the past year in
the demo city's seven towns and streets. Their text is made at run time from the Teddy
Cup 2020 messages (../shared/data/teddy2020/*.csv; nothing of them is stored in the
repository): a message's subject (places and numbers replaced) and one to three of its
sentences, often with a sentence of another message, cut to 160 characters.

`--queries` of the tickets (received in the last 60 days) are *planted originals*: each
query is a near-duplicate of one of them, written the way a second caller would put the
same matter (a sentence dropped or added, some characters changed, another summary).
The index is built by `duplicates.signature_rows` (the function `index_pending` uses),
written with executemany; the incremental path (`index_pending`) is timed on the last
20,000 tickets. Then:

- latency of `selectors.similar_tickets` (end to end: catch-up check, band lookup,
  visible_to, re-scoring), p50 / p95 over the queries, city-wide and restricted to the
  original's area;
- recall: the share of queries whose planted original is among the 5 results;
- the same number of fresh, unplanted texts: how many get any result (most of these are
  real near-copies: the generator reuses sentences of the same 7,500 messages);
- the naive baseline: read every ticket of the 90-day window and compare bigram sets,
  timed on a sample of 20,000 tickets and extrapolated to the window's size (linear: the
  work is one pass over the rows); its ratio to the index's p50.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pages import prepare_environment

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddy2020"
AREAS = ["QX-KFQ", "QX-CD", "QX-CX", "QX-JB", "QX-BS", "QX-SQ", "QX-ML"]
SENTENCE_RE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
PLACE_RE = re.compile(r"[A-Z]\d{0,2}[市区县]")
NUMBER_RE = re.compile(r"\d+")
SYLLABLES = (
    "安宝碧朝晨春翠丹东方枫芙富港国海和荷恒红华辉佳嘉建锦金景聚康蓝乐丽莲林龙绿美"
    "明南宁鹏平庆瑞山盛世顺泰天同万文西祥湘新鑫星兴阳怡银永友雨玉园悦云长正中竹紫"
)
SUFFIXES = ["小区", "花园", "家园", "新村", "公寓", "大厦", "广场", "路", "街", "苑"]
EXTRA = [
    "请相关部门尽快处理。",
    "希望有关部门重视。",
    "多次反映无果。",
    "请尽快解决，谢谢！",
    "已经持续很长时间了。",
    "严重影响居民生活。",
]


def load_messages() -> list[tuple[str, list[str]]]:
    """(subject, sentences) of every Teddy Cup message with a subject and a detail."""
    found = []
    for name in ("train.csv", "unlabelled.csv", "hotspots.csv", "replies.csv"):
        path = DATA / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                subject = " ".join((row.get("subject") or "").split())
                detail = "".join((row.get("detail") or "").split())
                sentences = [s for s in SENTENCE_RE.findall(detail) if len(s) >= 6]
                if subject and sentences:
                    found.append((subject, sentences))
    if not found:
        raise SystemExit(f"no messages under {DATA}")
    return found


class Writer:
    """Synthetic ticket texts from the messages, with places and numbers varied."""

    def __init__(self, messages, rng: random.Random):
        self.messages, self.rng = messages, rng
        self.places = [
            "".join(rng.choice(SYLLABLES) for _ in range(2)) + rng.choice(SUFFIXES)
            for _ in range(3000)
        ]

    def _vary(self, text: str) -> str:
        rng = self.rng
        text = PLACE_RE.sub(
            lambda m: rng.choice(["青溪市", "城东", "城西", "江滨", "白沙镇"]), text
        )
        text = NUMBER_RE.sub(lambda m: str(rng.randrange(1, 60)), text)
        return text.replace("A市", "青溪市")

    def ticket(self) -> tuple[str, str]:
        rng = self.rng
        subject, sentences = self.messages[rng.randrange(len(self.messages))]
        place = rng.choice(self.places)
        start = rng.randrange(len(sentences))
        picked = sentences[start : start + rng.randint(1, 3)]
        if rng.random() < 0.6:
            other = self.messages[rng.randrange(len(self.messages))][1]
            picked.insert(rng.randrange(len(picked) + 1), rng.choice(other))
        detail = f"我家在{place}。" + "".join(picked)
        return self._vary(subject)[:60], self._vary(detail)[:160]

    def near_duplicate(self, summary: str, detail: str) -> tuple[str, str]:
        """The same matter told by another caller."""
        rng = self.rng
        parts = SENTENCE_RE.findall(detail)
        if len(parts) > 2 and rng.random() < 0.5:
            parts.pop(rng.randrange(1, len(parts)))  # one sentence left out
        if rng.random() < 0.5:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(EXTRA))
        chars = list("".join(parts))
        for _ in range(max(1, len(chars) // 15)):  # about 7% of the characters changed
            i = rng.randrange(len(chars))
            if rng.random() < 0.5:
                chars[i] = rng.choice(SYLLABLES)
            else:
                chars[i] = ""
        words = list(summary)
        if len(words) > 6:
            del words[rng.randrange(len(words)) : rng.randrange(len(words)) + 2]
        return rng.choice(["投诉", "反映", "", "关于"]) + "".join(words), "".join(chars)


def fill(n: int, queries: int, seed: int):
    from django.db import connection, transaction

    from hotline.accounts.models import User
    from hotline.core import clock
    from hotline.directory.models import Unit
    from hotline.intelligence import duplicates as d
    from hotline.site.demo import build_demo_city
    from hotline.sla.selectors import default_policy_version
    from hotline.tickets.models import Citizen, Ticket

    build_demo_city()
    rng = random.Random(seed)
    writer = Writer(load_messages(), rng)
    version = default_policy_version()
    operator = User.objects.get(username="operator1")
    areas = [Unit.objects.get(code=c).pk for c in AREAS]
    citizens = Citizen.objects.bulk_create(
        [Citizen(phone=f"139{i:08d}") for i in range(1000)], batch_size=1000
    )
    if not citizens[0].pk:
        citizens = list(Citizen.objects.order_by("pk"))
    now = clock.now()
    planted_at = set(rng.sample(range(n), queries))
    planted: list[tuple[int, str, str, int]] = []  # (index, summary, detail, area)
    insert = (
        "INSERT INTO intelligence_ticketsignature (ticket_id, band, band_key, day, region_id) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    began = time.perf_counter()
    sig_seconds = 0.0
    batch = 20000
    done = 0
    while done < n:
        size = min(batch, n - done)
        tickets = []
        for i in range(done, done + size):
            summary, detail = writer.ticket()
            days = rng.uniform(0, 60) if i in planted_at else rng.uniform(0, 365)
            area = rng.choice(areas)
            if i in planted_at:
                planted.append((i, summary, detail, area))
            tickets.append(
                Ticket(
                    number=f"B{i:012d}",
                    channel="phone",
                    kind="complaint",
                    summary=summary,
                    detail=detail,
                    region_id=area,
                    citizen=citizens[i % len(citizens)],
                    operator=operator,
                    received_at=now - timedelta(days=days),
                    status=rng.choice(["closed", "closed", "completed", "handling", "dispatched"]),
                    policy_version=version,
                )
            )
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=5000)
            if not tickets[0].pk:
                raise SystemExit("the database returned no ids")
            if done + size < n:  # the last batch is left to index_pending
                started = time.perf_counter()
                rows = [
                    row
                    for t in tickets
                    for row in d.signature_rows(
                        t.pk, d.ticket_text(t.summary, t.detail), t.received_at, t.region_id
                    )
                ]
                with connection.cursor() as cursor:
                    cursor.executemany(insert, rows)
                sig_seconds += time.perf_counter() - started
        done += size
        print(f"  {done:,} tickets", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    fill_seconds = time.perf_counter() - began
    started = time.perf_counter()
    pending = d.index_pending(limit=n)
    incremental = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ids = dict(
        Ticket.objects.filter(number__in=[f"B{i:012d}" for i, *_ in planted]).values_list(
            "number", "pk"
        )
    )
    originals = [(ids[f"B{i:012d}"], s, t, a) for i, s, t, a in planted]
    return {
        "fill_seconds": fill_seconds,
        "signature_seconds": sig_seconds,
        "incremental": (pending["indexed"], incremental),
        "originals": originals,
        "writer": writer,
        "operator": operator,
    }


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def naive_ms(texts: list[str], sample: int = 20000) -> tuple[float, int]:
    """Per query: read the window's tickets and compare bigram sets, extrapolated."""
    from hotline.core import clock
    from hotline.intelligence import duplicates as d
    from hotline.tickets.models import Ticket

    since = clock.now() - timedelta(days=d.WINDOW_DAYS)
    window = Ticket.objects.filter(received_at__gte=since).count()
    times = []
    for text in texts:
        query = d.shingles(text)
        started = time.perf_counter()
        rows = Ticket.objects.filter(received_at__gte=since).values_list("pk", "summary", "detail")
        best = sorted(
            ((d.jaccard(query, d.shingles(f"{s} {t}")), pk) for pk, s, t in rows[:sample]),
            reverse=True,
        )[:5]
        assert best is not None
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times) * window / max(1, min(sample, window)), window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    engine, cleanup = prepare_environment()
    try:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("DEBUG", "false")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        run(engine, args)
    finally:
        cleanup()


def run(engine: str, args) -> None:
    from hotline.intelligence import duplicates as d
    from hotline.intelligence.models import TicketSignature
    from hotline.intelligence.selectors import similar_tickets

    print(f"engine {engine}; {args.tickets:,} tickets; {args.queries} planted near-duplicates")
    filled = fill(args.tickets, args.queries, args.seed)
    signatures = TicketSignature.objects.count()
    indexed, seconds = filled["incremental"]
    print(
        f"filled in {filled['fill_seconds']:.0f} s (signatures {filled['signature_seconds']:.0f}"
        f" s); {signatures:,} signature rows; index_pending: {indexed:,} tickets in "
        f"{seconds:.2f} s ({1000 * seconds / max(1, indexed):.2f} ms/ticket)"
    )
    writer, user = filled["writer"], filled["operator"]
    queries = []
    for pk, summary, detail, area in filled["originals"]:
        s, t = writer.near_duplicate(summary, detail)
        queries.append(
            (
                pk,
                f"{s} {t}",
                area,
                d.jaccard(d.shingles(f"{s} {t}"), d.shingles(f"{summary} {detail}")),
            )
        )
    print(
        "planted pairs' bigram Jaccard: median "
        f"{statistics.median(q[3] for q in queries):.2f}, min {min(q[3] for q in queries):.2f}"
    )
    for text in [q[1] for q in queries[:5]]:
        similar_tickets(text, user=user)  # warm-up
    results = {}
    for label, with_area in (("city-wide", False), ("in its area", True)):
        times, hits, close, close_hits = [], 0, 0, 0
        for pk, text, area, jac in queries:
            started = time.perf_counter()
            found = similar_tickets(text, user=user, area=area if with_area else None)
            times.append((time.perf_counter() - started) * 1000)
            hit = any(x.ticket.pk == pk for x in found)
            hits += hit
            if jac >= 0.5:
                close, close_hits = close + 1, close_hits + hit
        results[label] = (
            percentile(times, 50),
            percentile(times, 95),
            hits / len(queries),
            close_hits / max(1, close),
        )
    fresh_times, fresh_hits = [], 0
    for _ in range(len(queries)):
        s, t = writer.ticket()
        started = time.perf_counter()
        found = similar_tickets(f"{s} {t}", user=user)
        fresh_times.append((time.perf_counter() - started) * 1000)
        fresh_hits += bool(found)
    naive, window = naive_ms([q[1] for q in queries[:10]])
    print()
    print(f"{'lookup':<34}{'p50 ms':>9}{'p95 ms':>9}{'recall@5':>10}{'(J>=0.5)':>10}")
    for label, (p50, p95, recall, close) in results.items():
        print(
            f"{'similar_tickets, ' + label:<34}{p50:>9.1f}{p95:>9.1f}{recall:>10.3f}{close:>10.3f}"
        )
    print(
        f"{'similar_tickets, fresh texts':<34}{percentile(fresh_times, 50):>9.1f}"
        f"{percentile(fresh_times, 95):>9.1f}{'':>10}   any result: {fresh_hits}/{len(queries)}"
    )
    p50 = results["city-wide"][0]
    print(
        f"{'naive scan of the 90-day window':<34}{naive:>9.0f}{'':>9}{'':>10}   "
        f"({window:,} tickets; timed on 20,000 and extrapolated)"
    )
    print(
        f"\nnaive / index (p50): {naive / p50:.0f}x; goal p95 < 50 ms: "
        f"ratio p95 / 50 ms = {results['city-wide'][1] / 50:.2f}"
    )


if __name__ == "__main__":
    main()
