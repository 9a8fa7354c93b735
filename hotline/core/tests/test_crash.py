"""Issue 14 items 13 and 15: kill -9 the web server and the tick under load; several web
servers and ticks on one database. After the restarts the database holds exactly the
tickets, events, reminders and messages it should: every create the load got a 2xx for,
none twice, every due reminder once with its event and messages, every SMS delivered.

A short version of bench/crash.py (which does 100 kills); the harness: bench/crashkit.py
and bench/crashcheck.py.
"""

from __future__ import annotations

import os
import random
import socket
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from bench import crashcheck, crashkit  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

LEAD = "QX-ZJJ"


def _ports(count: int) -> list[int]:
    """Free ports in this worktree's range (8400-8499)."""
    ports = []
    for port in range(8460, 8500):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError("no free port")


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _env(tmp_path: Path, gateway: crashkit.Gateway) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE="config.test_settings",  # the suite's password hasher
        SECRET_KEY=settings.SECRET_KEY,  # the sessions made here are valid there
        HOTLINE_DATA_DIR=str(tmp_path / "data"),
        HOTLINE_SMS_URL=gateway.url,
        HOTLINE_NOTIFY_CLAIM_SECONDS="3",
    )
    return env


def _run(
    tmp_path, *, servers: int, ticks: int, kills: int, backlog_size: int, seconds: float = 1.0
) -> dict:
    gateway = crashkit.Gateway(delay=0.02)
    backlog = crashcheck.seed_backlog(
        count=backlog_size, operator="operator1", dispatcher="dispatcher1", lead=LEAD
    )
    cluster = crashkit.Cluster(
        env=_env(tmp_path, gateway), work=tmp_path, ports=_ports(servers), ticks=ticks
    )
    load = crashkit.Load(
        cluster=cluster,
        cookies=crashkit.login_cookies("operator1"),
        dispatcher_cookies=crashkit.login_cookies("dispatcher1"),
        lead=LEAD,
        threads=3,
    )
    rng = random.Random(14)
    try:
        cluster.start()
        load.start()
        warm = time.monotonic() + 60  # some tickets made and dispatched before any kill
        while len(load.tally.dispatched_ok) < 2 and time.monotonic() < warm:
            time.sleep(0.2)
        for k in range(kills):
            time.sleep(rng.uniform(0.2, 1.5))
            cluster.kill_one(rng, k)
        time.sleep(seconds)
        load.stop()
        drained = crashcheck.drain(cluster, seconds=90)
    finally:
        load.stop()
        cluster.stop()
        gateway.close()
    figures = crashcheck.compare(load.tally, gateway, backlog)
    figures["drained"] = drained
    figures["kills"] = cluster.kills
    figures["servers_answering"] = len(load.tally.by_port)
    print(figures)  # shown with -s
    return figures


def test_kill_9_of_server_and_tick_under_load_loses_and_doubles_nothing(users, tmp_path):
    """R-14-13: two kills of `hotline serve` and two of `hotline tick` at random moments
    while tickets are created and dispatched through the API and the tick works off a
    backlog of due reminders (SQLite and PostgreSQL, whichever DATABASE_URL names)."""
    figures = _run(tmp_path, servers=1, ticks=1, kills=4, backlog_size=40)
    assert figures["drained"], figures
    assert crashcheck.problems(figures) == {}, figures
    assert figures["kills"] == {"serve": 2, "tick": 2}
    assert figures["creates_2xx"] > 0 and figures["dispatches_2xx"] > 0, figures
    assert figures["reminders"] == 40 and figures["sms"] >= 40, figures


def test_two_servers_and_three_ticks_on_one_database_lose_and_double_nothing(users, tmp_path):
    """R-14-15: two web servers behind one load and three ticks claiming the same due
    work side by side (SKIP LOCKED on PostgreSQL): every ticket once, every reminder and
    message once, every SMS delivered once (no repeated Idempotency-Key without a kill)."""
    if connection.vendor != "postgresql":
        pytest.skip("several machines share one PostgreSQL")
    figures = _run(tmp_path, servers=2, ticks=3, kills=0, backlog_size=120, seconds=8)
    assert figures["drained"], figures
    assert crashcheck.problems(figures) == {}, figures
    assert figures["gateway_repeats_same_key"] == 0, figures
    assert figures["creates_unknown"] == 0 and figures["creates_failed"] == 0, figures
    assert figures["reminders"] == 120, figures
    assert figures["servers_answering"] == 2, figures
