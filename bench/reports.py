"""Benchmark of assessment and the leaders' dashboard on a city-sized database (issue 12).

Run from the repository root::

    .venv/bin/python bench/reports.py [--tickets 100000] [--repeat 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench .venv/bin/python bench/reports.py

It fills the database with bench/pages.py's filler (tickets over a year with their
assignments, replies, visits and events; COPY on PostgreSQL, `--multiply K` copies them
K times in SQL), installs the assessment presets, computes the facts once if there are
none, then:

- recomputes every fact and unit × day total of the year (goal < 60 s);
- times a month's assessment of every unit (selectors.assessment), the dashboard page
  as the mayor, and the API series (/api/assessment, /api/stats/intake by day and by
  channel) through django.test.Client: p50 / p95 against the goal (150 ms);
- computes the same month's counts straight from the events (no stored facts) and prints
  the ratio of that baseline to the pre-aggregated assessment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pages import GOAL_MS, fill, multiply, prepare_environment
from bench.pages import setup_django as pages_setup_django

YEAR_GOAL_S = 60.0


def setup_django() -> None:
    """bench/pages.py's set-up, with hashed static names but without WhiteNoise's
    compression: brotli over the ~160 MB of collected files (ECharts' whole package) took
    more than ten minutes on the shared machine and measures nothing of ours."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    # The mayor's role needs a second factor to log in; the bench times pages, not logins.
    os.environ.setdefault("HOTLINE_2FA_REQUIRED_ROLES", "admin")
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    pages_setup_django()


def _times(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def run(repeat: int) -> list[str]:
    from django.test import Client

    from hotline.accounts.models import User
    from hotline.directory.selectors import today
    from hotline.reports import aggregate, schemes, selectors, services
    from hotline.reports.models import Fact, Scheme
    from hotline.tickets.models import Ticket

    admin = User.objects.get(username="admin")
    for code in schemes.PRESETS:
        if not Scheme.objects.filter(code=code).exists():
            services.scheme_install_preset(actor=admin, code=code)
    services.scheme_set_default(actor=admin, scheme=Scheme.objects.get(code="ZS"))

    ids = list(Ticket.objects.values_list("pk", flat=True))
    first = ""
    if not Fact.objects.exists():
        # A fresh fill has no facts: compute them once, so the timed recomputation
        # replaces a year of facts consistent with the events, as in production.
        print("computing the facts a first time ...", file=sys.stderr)
        start = time.perf_counter()
        aggregate.refresh_tickets(ids)
        first = f" (first computation into empty tables: {time.perf_counter() - start:.1f} s)"
    print("recomputing the year ...", file=sys.stderr)
    last_fact = Fact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    load = os.getloadavg()[0]
    start = time.perf_counter()
    aggregate.refresh_tickets(ids)
    year_s = time.perf_counter() - start
    # Rows written by the recomputation (ids only grow): all of them when every fact is
    # rewritten, none when the stored facts already equal the rules' (decision 0030).
    rewritten = Fact.objects.filter(pk__gt=last_fact).count()
    aggregate.refresh_pending()
    facts = Fact.objects.count()

    span = selectors.month_span(today().replace(day=1) - timedelta(days=1))
    units = selectors.assessed_units()
    mayor = Client(HTTP_HOST="localhost")
    mayor.force_login(User.objects.get(username="mayor"))
    q = f"from={span.start}&to={span.end}"
    rows = []

    def page(url: str) -> Callable[[], object]:
        def call() -> object:
            response = mayor.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    cases = [
        ("assessment (selector)", lambda: selectors.assessment(span)),
        ("dashboard page", page(f"/reports/?{q}")),
        ("assessment page", page(f"/reports/assessment/?{q}")),
        ("GET /api/assessment", page(f"/api/assessment?{q}")),
        ("GET /api/stats/intake by=day", page(f"/api/stats/intake?{q}&by=day")),
        ("GET /api/stats/intake by=channel", page(f"/api/stats/intake?{q}&by=channel")),
    ]
    timed = {}
    for name, call in cases:
        print(f"timing {name} ...", file=sys.stderr)
        p50, p95 = _times(call, repeat)
        timed[name] = p95
        rows.append(f"| {name} | {p50:.1f} | {p95:.1f} | {p95 / GOAL_MS:.2f} |")

    print("baseline straight from the events ...", file=sys.stderr)
    start = time.perf_counter()
    direct = selectors.unit_counts_from_events(span, units)
    baseline_ms = (time.perf_counter() - start) * 1000
    stored = selectors.unit_counts(span, units)
    same = all(
        {k: v for k, v in direct.get(u.pk, {}).items()} == stored.get(u.pk, {}) for u in units
    )
    head = [
        f"tickets: {len(ids):,}; facts: {facts:,}",
        f"year recomputation: {year_s:.1f} s (goal {YEAR_GOAL_S:.0f} s, ratio "
        f"{year_s / YEAR_GOAL_S:.2f}){first}; load average 1 min before it {load:.1f}; "
        f"fact rows rewritten: {rewritten:,}",
        f"month {span.start}..{span.end}: straight from the events {baseline_ms:.0f} ms vs "
        f"pre-aggregated assessment p95 {timed['assessment (selector)']:.1f} ms: ratio "
        f"{baseline_ms / timed['assessment (selector)']:.0f}x; same counts: {same}",
        "",
        "| measured | p50 ms | p95 ms | p95 / 150 ms |",
        "| --- | --- | --- | --- |",
    ]
    return head + rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--multiply",
        type=int,
        default=1,
        metavar="K",
        help="copy the filled (or, with --reuse, the kept) tickets to K times as many in SQL "
        "(bench/pages.py's multiply): --tickets 10000 --multiply 100 is a million",
    )
    parser.add_argument(
        "--fill-only",
        action="store_true",
        help="fill a fresh database and keep it (no measuring: run it without the lock)",
    )
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="measure a database kept by --fill-only: its HOTLINE_DATA_DIR (SQLite) or "
        "'pg' for the one named in DATABASE_URL; it is kept afterwards",
    )
    args = parser.parse_args(argv)
    if args.reuse:
        if args.reuse != "pg":
            os.environ["HOTLINE_DATA_DIR"] = args.reuse
        elif not os.environ.get("DATABASE_URL"):
            raise SystemExit("--reuse pg needs DATABASE_URL")
        else:
            os.environ.setdefault("HOTLINE_DATA_DIR", tempfile.mkdtemp(prefix="hotline-bench-"))
        engine = "postgresql" if args.reuse == "pg" else "sqlite"
        setup_django()
        from hotline.tickets.models import Ticket

        if args.multiply > 1:
            began = time.perf_counter()
            multiply(args.multiply)
            print(f"multiplied to {args.multiply}x in {time.perf_counter() - began:.0f} s")
        print(f"## {engine} (reused database, {Ticket.objects.count():,} tickets)")
        print("\n".join(run(args.repeat)))
        return 0
    engine, clean_up = prepare_environment()
    keep = args.keep or args.fill_only
    try:
        setup_django()
        print(f"filling {args.tickets:,} tickets on {engine} ...", file=sys.stderr)
        filled = fill(args.tickets, args.seed)
        print(f"filled {filled.tickets:,} tickets in {filled.seconds:.0f} s")
        if args.multiply > 1:
            began = time.perf_counter()
            multiply(args.multiply)
            print(f"multiplied to {args.multiply}x in {time.perf_counter() - began:.0f} s")
        if not args.fill_only:
            print(f"## {engine}")
            print("\n".join(run(args.repeat)))
    finally:
        if keep:
            print(f"kept: {os.environ.get('DATABASE_URL') or os.environ['HOTLINE_DATA_DIR']}")
        else:
            clean_up()
    return 0


if __name__ == "__main__":
    sys.exit(main())
