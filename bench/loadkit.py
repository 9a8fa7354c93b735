"""What bench/throughput.py, bench/mixed.py and bench/portal.py share: a fresh PostgreSQL
database with the demo city, logged-in sessions written straight into it, `hotline serve`
(gunicorn, --preload) started on 127.0.0.1, locust run headless against it (its users
arriving at a spawn rate, its own CPU measured), its CSV read back, and the RSS of the
server's processes sampled.

The sessions are what a login leaves (user id, backend, password hash, the login time),
so the load measures the work of the requests and not the password hashing of a login.
CSRF: every POST carries the token of its `csrftoken` cookie as X-CSRFToken, as the
pages' JavaScript does."""

from __future__ import annotations

import csv
import math
import os
import resource
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF = "bench" + "0" * 27  # 32 characters: a valid unmasked token
# Kept between runs: the collected, compressed static files take minutes on a busy machine
# the first time and seconds after (the database is PostgreSQL's, not in here).
DATA_DIR = ROOT / "var" / "bench-load"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to the PostgreSQL bench database (it is recreated)")
    return url


def _postgres(url: str, statement: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(parts.path.lstrip("/"))))


def fresh_database(url: str) -> None:
    _postgres(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    _postgres(url, "CREATE DATABASE {}")


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    _postgres(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOTLINE_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if not (data_dir / "static" / "staticfiles.json").exists():
        print("no static manifest yet: the server uses bench/settings_load.py", flush=True)
        env["DJANGO_SETTINGS_MODULE"] = "bench.settings_load"
    env.pop("HOTLINE_DEBUG", None)
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def session_for(username: str) -> str:
    """A logged-in session of this demo user, as a login would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from hotline.accounts.middleware import LOGIN_AT
    from hotline.accounts.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "hotline.accounts.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT] = time.time()
    store.create()
    return store.session_key or ""


def wait(url: str, seconds: float = 900) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"bench: the server did not answer at {url}")


def serve(env: dict[str, str], port: int, workers: int, threads: int = 1) -> subprocess.Popen:
    """gunicorn as `hotline serve` starts it (sync workers, --preload: the application is
    loaded and warmed once in the master, then forked; config.wsgi), without its migrate
    and collectstatic steps, done once above: the manifest's post-processing of every
    static file takes minutes on a busy machine at every start."""
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--preload", "--timeout", "60",
         "config.wsgi:application"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    wait(f"http://127.0.0.1:{port}/health/")
    return server


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


@dataclass
class Run:
    """One locust run: its CSV rows (the whole run, ramp included), the seconds it was
    asked for (ramp + hold) and the CPU seconds locust itself used (user + system), the
    share of the two cores the load generator took from the server."""

    rows: list[dict[str, str]]
    seconds: int
    client_cpu: float

    @property
    def client_cores(self) -> float:
        return self.client_cpu / self.seconds if self.seconds else 0.0


def locust_run(
    locustfile: str,
    host: str,
    users: int,
    seconds: int,
    csv_prefix: Path,
    env: dict[str, str],
    spawn_rate: float = 0.0,
) -> Run:
    """`users` arrive at `spawn_rate` per second (0: all in the first second), then the
    full load runs `seconds`; the statistics cover the whole run, arrival included."""
    rate = spawn_rate if spawn_rate > 0 else users
    ramp = math.ceil(users / rate) if spawn_rate > 0 else 0
    total = ramp + seconds
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Path(f"{csv_prefix}_locust.log").open("w", encoding="utf-8") as log:
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / locustfile), "--headless",
             "--host", host, "-u", str(users), "-r", f"{rate:g}", "-t", f"{total}s",
             "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING",
             "--stop-timeout", "10"],
            env=env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with Path(f"{csv_prefix}_stats.csv").open(encoding="utf-8") as stats:
        return Run(list(csv.DictReader(stats)), total, cpu)


def locust(
    locustfile: str, host: str, users: int, seconds: int, csv_prefix: Path, env: dict[str, str]
) -> list[dict[str, str]]:
    """All users at once (closed-loop throughput runs): the rows only."""
    return locust_run(locustfile, host, users, seconds, csv_prefix, env).rows


def row(rows: list[dict[str, str]], name: str) -> dict[str, str]:
    return next((r for r in rows if r["Name"] == name), {})


def num(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


class RssSampler:
    """RSS (MB) of the server's process tree (gunicorn master and workers), every
    `every` seconds while running."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> float:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs) / 2**20
        except psutil.Error:
            return 0.0

    def _run(self) -> None:
        start = time.time()
        while not self._stop.is_set():
            self.samples.append((time.time() - start, self.rss()))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"
