"""Intake throughput (issue 14 item 11): tickets created, created and dispatched, and
created in bulk through the JSON API against `hotline serve` (gunicorn, 2 workers) on
PostgreSQL, driven by locust from a separate process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \\
        .venv/bin/python bench/throughput.py [--seconds 60] [--users 6] [--port 8310]
        [--workers 2] [--batch 500] [--bulk-seconds 20]

The database is recreated with the demo city, then dropped. Each phase is its own
locust run of closed-loop users without think time (as many requests as the server
takes): `create`, `dispatch` (create then dispatch, counted in pairs) and `bulk`
(batches of --batch rows). Prints rate, p50/p95/p99 and failures per phase against the
goals and against the numbers measured before this work (same machine, same kind of
run: gunicorn 2 workers, 6 client threads, 60 s). Queries per request are asserted in
hotline/api/tests/test_intake_queries.py, not timed here."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadkit

GOALS = {"create": 200.0, "dispatch": 100.0, "bulk": 2000.0}
BEFORE = {"create": (59.9, 150.0), "dispatch": (20.4, 226.0)}  # rate/s, p99 ms


def seed(operators: int, dispatchers: int) -> dict[str, list[str]]:
    from hotline.site.demo import build_demo_city

    build_demo_city()
    return {
        "operator": [loadkit.session_for(f"operator{1 + i % 2}") for i in range(operators)],
        "dispatcher": [loadkit.session_for("dispatcher1") for _ in range(dispatchers)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--bulk-seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()
    url = loadkit.database_url()
    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    env = loadkit.environment(loadkit.DATA_DIR)
    loadkit.fresh_database(url)
    loadkit.setup_django(env)
    sessions = seed(options.users, options.users)
    host = f"http://127.0.0.1:{options.port}"
    server = loadkit.serve(env, options.port, options.workers, options.threads)
    results = {}
    load = {}
    try:
        for phase, seconds in (
            ("create", options.seconds),
            ("dispatch", options.seconds),
            ("bulk", options.bulk_seconds),
        ):
            run_env = dict(env, BENCH_PHASE=phase, BENCH_SESSIONS=json.dumps(sessions),
                           BENCH_BATCH=str(options.batch), BENCH_CSRF=loadkit.CSRF)  # fmt: skip
            print(f"{phase}: {options.users} users, {seconds} s …", flush=True)
            results[phase] = loadkit.locust(
                "throughput_locust.py", host, options.users, seconds, work / phase, run_env
            )
            load[phase] = loadkit.load_average()
    finally:
        loadkit.stop(server)
        if not options.keep:
            loadkit.drop_database(url)
    report(results, load, options)


def report(results, load, options) -> None:
    print(f"\nintake through the API: gunicorn {options.workers} workers, "
          f"{options.users} locust users, PostgreSQL")  # fmt: skip
    print(f"{'phase':<20}{'requests':>9}{'fails':>7}{'rate/s':>9}{'p50':>6}{'p95':>6}"
          f"{'p99':>6}{'goal/s':>8}{'ratio':>7}{'before/s':>9}{'×':>6}  load 1/5/15")  # fmt: skip
    failures = 0
    for phase, request, per in (
        ("create", "create", 1),
        ("create + dispatch", "dispatch", 1),
        ("bulk", "bulk", options.batch),
    ):
        key = "create" if phase == "create" else "dispatch" if request == "dispatch" else "bulk"
        rows = results[key]
        stats = loadkit.row(rows, request)
        failures += int(loadkit.num(loadkit.row(rows, "Aggregated").get("Failure Count")))
        rate = loadkit.num(stats.get("Requests/s")) * per
        before = BEFORE.get(key, (0.0, 0.0))[0]
        speedup = f"{rate / before:.1f}" if before else "—"
        print(
            f"{phase:<20}{stats.get('Request Count', '0'):>9}{stats.get('Failure Count', '0'):>7}"
            f"{rate:>9.1f}{stats.get('50%', '—'):>6}{stats.get('95%', '—'):>6}"
            f"{stats.get('99%', '—'):>6}{GOALS[key]:>8.0f}{rate / GOALS[key]:>7.2f}"
            f"{before or '—':>9}{speedup:>6}  {load[key]}"
        )
        if key == "dispatch":
            create = loadkit.row(rows, "create")
            print(f"{'  its creates':<20}{create.get('Request Count', '0'):>9}"
                  f"{create.get('Failure Count', '0'):>7}{'':>9}{create.get('50%', '—'):>6}"
                  f"{create.get('95%', '—'):>6}{create.get('99%', '—'):>6}")  # fmt: skip
    print(
        "\nratio = rate / goal (1.00 or more meets it); × = rate / the rate before this work "
        "(59.9 creates/s, 20.4 create+dispatch/s; p99 then 150 ms create, 226 ms dispatch)."
    )
    print(
        "queries per request: hotline/api/tests/test_intake_queries.py (create ≤ 10, "
        "dispatch ≤ 12; before: 25 and 31–37)"
    )
    print(f"failures in all: {failures} (goal 0)")


if __name__ == "__main__":
    main()
