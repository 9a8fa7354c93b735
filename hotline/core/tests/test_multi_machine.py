"""Issue 14 item 15: the settings of a deployment on several machines: the cache and the
sessions in Redis (REDIS_URL), reports and dashboards from a read replica
(DATABASE_REPLICA_URL, hotline.core.replica), one-line errors for bad values. Several web
servers and ticks on one database: hotline/core/tests/test_crash.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from config import env
from hotline.core.replica import REPLICA, ReplicaRouter, reading_replica
from hotline.tickets.models import Ticket

REDIS_DB = 3  # this worktree's Redis database


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("REDIS_URL", "redis://127.0.0.1:6379/zero"),
        ("REDIS_URL", "redis://127.0.0.1:port/0"),
        ("DATABASE_REPLICA_URL", "mysql://db/hotline"),
        ("DATABASE_REPLICA_URL", "sqlite:///replica.sqlite3"),
    ],
)
def test_bad_values_are_one_line_errors(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(env.ConfigError) as refused:
        env.caches() if variable == "REDIS_URL" else env.replica_database()
    message = str(refused.value)
    assert "\n" not in message and message.startswith(variable)


def test_cli_refuses_a_bad_redis_url_in_one_line(tmp_path):
    environ = {**os.environ, "HOTLINE_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://:6379/x"}
    environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    environ.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "check"], capture_output=True, text=True, env=environ
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "REDIS_URL" in done.stderr


def test_good_values_configure_redis_and_the_replica(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://:secret@127.0.0.1:6379/3")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://hotline@standby:5432/hotline")
    cache = env.caches()["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    replica = env.replica_database()
    assert replica["HOST"] == "standby" and replica["TEST"] == {"MIRROR": "default"}
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.delenv("DATABASE_REPLICA_URL")
    assert env.caches() is None and env.replica_database() is None


@pytest.fixture
def redis_cache(settings):
    """The cache and the sessions in this worktree's Redis database, as REDIS_URL sets them."""
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        settings.CACHES = env.caches()
    finally:
        del os.environ["REDIS_URL"]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.flushdb()
    yield client
    client.flushdb()


def test_sessions_live_in_redis_and_any_server_reads_them(redis_cache, users, client):
    """A session made by one server is found in Redis (and in the database, cached_db)
    and serves the next request, which any other server could answer."""
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    client.force_login(users["operator"])
    key = client.cookies["sessionid"].value
    assert any(key.encode() in name for name in redis_cache.keys("*"))
    assert Session.objects.filter(session_key=key).exists()
    caches["default"].set("probe", 1)
    assert any(b"probe" in name for name in redis_cache.keys("*"))
    assert client.get("/tickets/").status_code == 200


@pytest.fixture
def replica(monkeypatch):
    """A second connection, alias "replica", standing in for the standby (the same test
    database: what is committed on the primary is there), as DATABASE_REPLICA_URL adds it."""
    settings_dict = dict(connections["default"].settings_dict)
    wrapper = type(connections["default"])(settings_dict, alias=REPLICA)
    wrapper.ensure_connection()  # before the alias is known: the test case allows it
    monkeypatch.setitem(settings.DATABASES, REPLICA, settings_dict)
    setattr(connections._connections, REPLICA, wrapper)
    try:
        yield wrapper
    finally:
        wrapper.close()
        delattr(connections._connections, REPLICA)


def test_router_sends_reads_in_reading_replica_there_and_writes_to_the_primary(db, replica):
    router = ReplicaRouter()
    assert router.db_for_read(Ticket) is None  # default
    with reading_replica():
        assert router.db_for_read(Ticket) == REPLICA
        assert router.db_for_write(Ticket) is None
    assert router.db_for_read(Ticket) is None
    assert router.allow_migrate(REPLICA, "tickets") is False
    assert router.allow_migrate("default", "tickets") is True


def test_without_a_replica_nothing_changes(db):
    with reading_replica():
        assert ReplicaRouter().db_for_read(Ticket) is None


@pytest.mark.django_db(transaction=True)
def test_report_pages_read_from_the_replica_other_pages_from_the_primary(users, client, replica):
    """GET of the assessment page and the reports API: their reads on the replica alias;
    the ticket list: nothing on the replica; the session and user from the primary."""
    client.force_login(users["analyst"])
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        assert client.get("/reports/assessment/").status_code == 200
    assert on_replica.captured_queries, "no read on the replica"
    assert any("django_session" in q["sql"] for q in on_primary.captured_queries)
    assert not any("django_session" in q["sql"] for q in on_replica.captured_queries)

    with CaptureQueriesContext(replica) as api_replica:
        assert client.get("/api/stats/intake?from=2026-03-01&to=2026-03-31").status_code == 200
    assert api_replica.captured_queries

    with CaptureQueriesContext(replica) as other:
        assert client.get("/tickets/").status_code == 200
    assert other.captured_queries == []


def test_postgresql_connections_plan_without_jit(monkeypatch, tmp_path, db):
    """Decision 0050: JIT off for every PostgreSQL connection, the replica's too (a word
    search's capped count spent most of its time in JIT compiling at 10,000,000)."""
    from django.db import connection

    monkeypatch.setenv("DATABASE_URL", "postgres://hotline@db:5432/hotline")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://hotline@standby:5432/hotline")
    for config in (env.database(tmp_path), env.replica_database()):
        assert config["OPTIONS"]["options"] == "-c jit=off"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
