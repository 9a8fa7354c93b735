"""Where a create and a dispatch through the API spend their time (issue 14 item 11):
in-process, `django.test.Client` against PostgreSQL, production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_x_profile \\
        .venv/bin/python bench/intake_profile.py [--n 200] [--profile create|dispatch]
        [--statements]

The database is recreated with the demo city, then dropped. Per request: Python CPU of
this process (thread time), CPU of the PostgreSQL backend serving it (from /proc: the
server runs on this machine), wall time, statements and commits. `--statements` prints
one request's statements with their times; `--profile` a cProfile (CPU clock) of the
create or dispatch loop, top 40 by cumulative time."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadkit


def backend_cpu(pid: int) -> float:
    """utime + stime of the PostgreSQL backend, seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Statements:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, time.perf_counter() - start))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", choices=("create", "dispatch"), default=None)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--filter", default="")
    parser.add_argument("--width", type=int, default=220)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--prepare",
        type=int,
        default=None,
        help="server-side binding, statements prepared after N runs",
    )
    options = parser.parse_args()
    url = loadkit.database_url()
    env = loadkit.environment(loadkit.DATA_DIR)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    loadkit.fresh_database(url)
    loadkit.setup_django(env)
    try:
        run(options)
    finally:
        if not options.keep:
            loadkit.drop_database(url)


def run(options) -> None:
    from django.db import connection
    from django.test import Client

    from hotline.site.demo import build_demo_city

    build_demo_city()
    if options.prepare is not None:
        connection.close()
        connection.settings_dict["OPTIONS"].update(
            server_side_binding=True, prepare_threshold=options.prepare
        )
    operator, dispatcher = Client(), Client()
    operator.cookies["sessionid"] = loadkit.session_for("operator1")
    dispatcher.cookies["sessionid"] = loadkit.session_for("dispatcher1")
    for c in (operator, dispatcher):
        c.cookies["csrftoken"] = loadkit.CSRF
    headers = {"HTTP_X_CSRFTOKEN": loadkit.CSRF, "content_type": "application/json"}
    serial = iter(range(10**9))

    def create():
        n = next(serial)
        body = {
            "phone": f"139{n % 50:08d}", "name": "市民", "summary": f"青溪路{n % 97}号路灯不亮",
            "detail": f"青溪路{n % 97}号门口路灯坏了一个月，晚上很黑。编号{n}",
            "address": f"青溪路{n % 97}号", "kind": ("help", "complaint", "consult")[n % 3],
        }  # fmt: skip
        made = operator.post("/api/tickets", json.dumps(body), secure=True, **headers)
        assert made.status_code == 201, made.content
        return made.json()["number"]

    def dispatch(number):
        done = dispatcher.post(
            f"/api/tickets/{number}/dispatch", json.dumps({"lead": "QX-CD"}), secure=True,
            **headers,
        )  # fmt: skip
        assert done.status_code == 200, done.content

    for _ in range(20):  # warm: the callers exist, caches filled, connection open
        dispatch(create())
    pid = connection.connection.info.backend_pid
    numbers = []
    for name, step in (("create", lambda: numbers.append(create())),
                       ("dispatch", lambda: dispatch(numbers.pop()))):  # fmt: skip
        statements = Statements()
        profiler = cProfile.Profile(time.thread_time) if options.profile == name else None
        cpu0, wall0, pg0 = time.thread_time(), time.perf_counter(), backend_cpu(pid)
        with connection.execute_wrapper(statements):
            for _ in range(options.n):
                if profiler:
                    profiler.enable()
                step()
                if profiler:
                    profiler.disable()
        cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
        pg = backend_cpu(pid) - pg0
        n = options.n
        count = len(statements.rows)
        commits = sum(1 for s, _ in statements.rows if s == "COMMIT")
        sql_wall = sum(t for _, t in statements.rows)
        print(f"{name:<9} per request: python CPU {cpu / n * 1000:6.2f} ms, postgres backend "
              f"CPU {pg / n * 1000:5.2f} ms, wall {wall / n * 1000:6.2f} ms (of it in SQL "
              f"{sql_wall / n * 1000:5.2f} ms), statements {count / n:.1f}, commits "
              f"{commits / n:.1f}")  # fmt: skip
        if options.statements:
            per = count // n
            for sql, t in statements.rows[-per:]:
                print(f"   {t * 1000:6.2f} ms  {sql[: options.width]}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(options.filter, 60)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
