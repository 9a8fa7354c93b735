"""Crash run (issue 14 item 13): kill -9 the web server and the tick at random moments
under load, 100 times in all; after the restarts compare the database with what the load
process got as 2xx. Goal: nothing lost, nothing doubled (every problem count 0).

    .venv/bin/python bench/crash.py [--kills 100] [--threads 4]
        [--servers 1] [--ticks 1] [--backlog 150] [--port 8400]
        [--database postgres://postgres@127.0.0.1:5432/hotline_bench_crash | sqlite]

The database (PostgreSQL: created and dropped; `sqlite`: a file in a temporary data
directory) gets the demo city. `hotline serve --no-setup` (gunicorn, 2 workers) and
`hotline tick --interval 0.5` run with production settings; a stand-in SMS gateway in this
process answers after 20 ms and counts messages by their Idempotency-Key. Client threads
create tickets through POST /api/tickets (a unique marker in each summary) and dispatch
half of them; a connection refused while a server is down is sent to the next server,
one broken after sending is recorded as "unknown" (a create is not retried). Back-dated
tickets whose reminder has fallen due (a subprocess, time-machine) keep the tick busy:
a new batch before every tenth tick kill. The kills alternate between the web server
(the whole gunicorn process group, then restarted and awaited) and the tick, each after a
random 0.3–3 s. Then the load stops, the ticks drain the due work, and bench/crashcheck.py
compares: tickets against the 2xx creates (none lost, none twice, none unknown to the
load), one `received` event each, dispatches against the 2xx dispatches (one `dispatched`
event and one lead assignment), one reminder per back-dated assignment with its event and
messages, every SMS sent and received by the gateway.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/hotline_bench_crash"
OPERATOR, DISPATCHER, LEAD = "operator1", "dispatcher1", "QX-ZJJ"


def _backlog(count: int) -> None:
    """Subcommand: seed back-dated due work (time-machine needs a process of its own)."""
    import django

    django.setup()
    from bench.crashcheck import seed_backlog

    ids = seed_backlog(count=count, operator=OPERATOR, dispatcher=DISPATCHER, lead=LEAD)
    print(json.dumps(ids))


def _admin(url: str, sql: str) -> None:
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--ticks", type=int, default=1)
    parser.add_argument("--backlog", type=int, default=150)
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--backlog-only", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.backlog_only:
        _backlog(options.backlog_only)
        return

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-crash-"))
    postgres = options.database != "sqlite"
    env = dict(os.environ)
    env.update(
        HOTLINE_DATA_DIR=str(work / "data"),
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="bench-crash-" + "x" * 40,
        HOTLINE_NOTIFY_CLAIM_SECONDS="5",
        HOTLINE_PASSWORD_MAX_AGE_DAYS="0",
    )
    if postgres:
        name = options.database.rpartition("/")[2]
        _admin(options.database, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(options.database, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = options.database
    else:
        env.pop("DATABASE_URL", None)
    from bench import crashcheck, crashkit

    gateway = crashkit.Gateway(delay=0.02)
    env["HOTLINE_SMS_URL"] = gateway.url
    os.environ.update(env)
    if not postgres:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from hotline.site.demo import build_demo_city

    print(f"crash run: {options.kills} kills, database {'PostgreSQL' if postgres else 'SQLite'}")
    call_command("migrate", interactive=False, verbosity=0)
    build_demo_city()
    connections.close_all()

    def refill() -> list[int]:
        done = subprocess.run(
            [sys.executable, __file__, "--backlog-only", str(options.backlog)],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1])

    backlog = refill()
    ports = [options.port + i for i in range(options.servers)]
    cluster = crashkit.Cluster(env=env, work=work, ports=ports, ticks=options.ticks)
    load = crashkit.Load(
        cluster=cluster,
        cookies=crashkit.login_cookies(OPERATOR),
        dispatcher_cookies=crashkit.login_cookies(DISPATCHER),
        lead=LEAD,
        threads=options.threads,
    )
    connections.close_all()
    rng = random.Random(options.seed)
    drained = False
    try:
        cluster.start()
        load.start()
        load_started = time.monotonic()
        for k in range(options.kills):
            time.sleep(rng.uniform(0.3, 3.0))
            if k % 20 == 1 and k > 1:
                backlog += refill()  # the tick works while it is killed
            cluster.kill_one(rng, k)
            if (k + 1) % 10 == 0:
                print(f"  {k + 1} kills, {load.tally.answered_2xx} answers 2xx", flush=True)
        time.sleep(2)
        load.stop()
        load_seconds = time.monotonic() - load_started
        drained = crashcheck.drain(cluster, seconds=300)
    finally:
        load.stop()
        cluster.stop()
        gateway.close()
    figures = crashcheck.compare(load.tally, gateway, backlog)
    connections.close_all()
    if postgres:
        name = options.database.rpartition("/")[2]
        _admin(options.database, f'DROP DATABASE IF EXISTS "{name}"')
    report(figures, cluster.kills, drained, load_seconds, time.monotonic() - started)


def report(figures: dict, kills: dict, drained: bool, load_seconds: float, total: float) -> None:
    from bench.crashcheck import problems

    print(f"\nkills: {kills['serve']} web server (kill -9 of the gunicorn group), "
          f"{kills['tick']} tick; load {load_seconds:.0f} s, whole run {total:.0f} s")  # fmt: skip
    for name, value in figures.items():
        print(f"  {name:<28}{value}")
    found = problems(figures)
    print(f"\ndrained: {drained}; problems (goal: none): {found or 'none'}")
    print(f"ratio lost+doubled / goal 0: {sum(found.values())} (0 meets the goal)")


if __name__ == "__main__":
    main()
