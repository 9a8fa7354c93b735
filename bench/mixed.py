"""Mixed load of a working day (issue 14 item 12): pages and API together against
`hotline serve` (gunicorn with its default workers, 2 x cores + 1) on PostgreSQL,
driven by locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \\
        .venv/bin/python bench/mixed.py [--scale 10] [--seconds 60] [--ramp 10]
        [--port 8320] [--find 6,10,14,18] [--hold 600]

One scale unit is 4 operators, 1 dispatcher, 2 unit clerks (staff think 1–3 s between
actions) and 6 citizens tracking on the portal (2–5 s): see bench/mixed_locust.py for
what each does. `--find` runs --seconds at each scale in turn and stops at the first
that misses (p99 ≥ 500 ms or any error); the run to report is then the highest scale
that held, for 600 s (--hold). In every run the users arrive over --ramp seconds
(locust's spawn rate = users / ramp: a shift does not log in within one second), then
the full load runs --seconds; the figures cover the whole run, the arrival included.
Prints per request kind the rate, p50/p95/p99 and failures, the total rate against the
goal of 100 requests/s, the share of a core locust itself used, and the RSS of the
server's processes (first and last minute, sampled every 5 s): flat memory means no
growth between them."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadkit

GOAL_RPS = 100.0
GOAL_P99_MS = 500.0
CLERK_UNITS = ("QX-ZJJ", "QX-CGJ", "QX-CD", "QX-RSJ", "QX-JTJ", "QX-HBJ", "QX-SJJ")


def seed(scale: int, out: Path) -> None:
    from hotline.accounts.models import User
    from hotline.directory.models import Unit
    from hotline.site.demo import build_demo_city
    from hotline.tickets import services as s

    build_demo_city()
    operator = User.objects.get(username="operator1")
    dispatcher = User.objects.get(username="dispatcher1")
    units = list(Unit.objects.filter(code__in=CLERK_UNITS))
    track, pending = [], []
    for i in range(300):
        phone = f"137{i:08d}"
        ticket = s.ticket_create(
            actor=operator, phone=phone, name="市民", summary=f"路灯不亮 {i}", kind="help"
        )
        if i < 200:
            if i % 2:
                s.ticket_dispatch(actor=dispatcher, ticket=ticket, lead=units[i % len(units)])
            track.append([ticket.number, phone])
        else:
            pending.append(ticket.number)
    clerks = {
        code: [loadkit.session_for(u) for u in
               User.objects.filter(unit__code=code, role="unit_clerk")
               .values_list("username", flat=True)] * max(1, scale)
        for code in CLERK_UNITS
    }  # fmt: skip
    fixtures = {
        "track": track,
        "pending": pending,
        "operators": [loadkit.session_for(f"operator{1 + i % 2}") for i in range(4 * scale)],
        "dispatchers": [loadkit.session_for("dispatcher1") for _ in range(scale)],
        "clerks": clerks,
    }
    out.write_text(json.dumps(fixtures), encoding="utf-8")


def run(scale: int, options, env, host: str, server_pid: int, work: Path, seconds: int):
    users = 13 * scale
    run_env = dict(env, BENCH_FIXTURES=str(work / "fixtures.json"), BENCH_CSRF=loadkit.CSRF)
    rate = users / options.ramp if options.ramp > 0 else 0.0
    with loadkit.RssSampler(server_pid) as memory:
        result = loadkit.locust_run("mixed_locust.py", host, users, seconds,
                                    work / f"scale{scale}", run_env, spawn_rate=rate)  # fmt: skip
    return result, memory.samples, loadkit.load_average()


def held(rows) -> bool:
    total = loadkit.row(rows, "Aggregated")
    return (
        loadkit.num(total.get("Failure Count")) == 0
        and 0 < loadkit.num(total.get("99%")) < GOAL_P99_MS
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ramp", type=int, default=10, help="seconds over which users arrive")
    parser.add_argument("--port", type=int, default=8320)
    # As `hotline serve` by default: (2 x cores) + 1 sync workers, or HOTLINE_WORKERS.
    workers = os.environ.get("HOTLINE_WORKERS") or str(2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--workers", type=int, default=int(workers))
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread)")
    parser.add_argument("--find", default="", help="scales to try in turn, e.g. 6,10,14")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database as bench/throughput.py --keep left it (skips recreating it)",
    )
    parser.add_argument(
        "--hold", type=int, default=0, help="then run the highest scale that held this long"
    )
    options = parser.parse_args()
    url = loadkit.database_url()
    work = Path(tempfile.mkdtemp(prefix="mixed-"))
    env = loadkit.environment(loadkit.DATA_DIR)
    env["HOTLINE_PORTAL_ADDRESS_FACTOR"] = "100000"  # every citizen comes from 127.0.0.1
    if not options.reuse:
        loadkit.fresh_database(url)
    loadkit.setup_django(env)
    scales = [int(s) for s in options.find.split(",") if s] or [options.scale]
    seed(max(scales), work / "fixtures.json")
    host = f"http://127.0.0.1:{options.port}"
    server = loadkit.serve(env, options.port, options.workers, options.threads)
    server_label = f"{options.workers} workers × {options.threads} threads"
    try:
        best = 0
        for scale in scales:
            print(f"scale {scale} ({13 * scale} users), {options.ramp} s arriving + "
                  f"{options.seconds} s; load average {loadkit.load_average()} …",
                  flush=True)  # fmt: skip
            result, samples, load = run(scale, options, env, host, server.pid, work,
                                        options.seconds)  # fmt: skip
            report(scale, options, server_label, result, samples, load)
            if not held(result.rows):
                break
            best = scale
        if options.hold and best:
            print(f"holding scale {best} for {options.hold} s; load average "
                  f"{loadkit.load_average()} …", flush=True)  # fmt: skip
            result, samples, load = run(best, options, env, host, server.pid, work, options.hold)
            report(best, options, server_label, result, samples, load)
    finally:
        loadkit.stop(server)
        loadkit.drop_database(url)


def report(scale, options, workers, result: loadkit.Run, samples, load) -> None:
    rows = result.rows
    print(f"\nmixed load, scale {scale}: {4 * scale} operators, {scale} dispatchers, "
          f"{2 * scale} clerks, {6 * scale} trackers arriving over {options.ramp} s; "
          f"{result.seconds} s in all, all of it counted; gunicorn {workers}; load average "
          f"1/5/15 at the end {load}; locust used {result.client_cores:.2f} of a core")  # fmt: skip
    print(f"{'request':<32}{'count':>8}{'fails':>7}{'rate/s':>8}{'p50':>6}{'p95':>6}{'p99':>6}")
    for r in rows:
        rate = loadkit.num(r["Requests/s"])
        print(f"{r['Name']:<32}{r['Request Count']:>8}{r['Failure Count']:>7}"
              f"{rate:>8.1f}{r['50%']:>6}{r['95%']:>6}{r['99%']:>6}")  # fmt: skip
    total = loadkit.row(rows, "Aggregated")
    rate, p99 = loadkit.num(total.get("Requests/s")), loadkit.num(total.get("99%"))
    print(f"rate {rate:.1f} requests/s, ratio to the goal of {GOAL_RPS:.0f}/s = "
          f"{rate / GOAL_RPS:.2f}; p99 {p99:.0f} ms, ratio to {GOAL_P99_MS:.0f} ms = "
          f"{p99 / GOAL_P99_MS:.2f}; failures {total.get('Failure Count')}; "
          f"{'HELD' if held(rows) else 'NOT HELD'}")  # fmt: skip
    if samples:
        minute = max(1, int(60 / 5))
        first = sum(m for _, m in samples[:minute]) / len(samples[:minute])
        last = sum(m for _, m in samples[-minute:]) / len(samples[-minute:])
        peak = max(m for _, m in samples)
        print(f"server RSS (master + workers): first minute {first:.0f} MB, last minute "
              f"{last:.0f} MB ({last - first:+.0f} MB), peak {peak:.0f} MB, "
              f"{len(samples)} samples")  # fmt: skip


if __name__ == "__main__":
    main()
