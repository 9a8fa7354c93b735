"""Issue 14 item 14: `hotline backup` and `hotline restore`, and a drill: back up while
tickets are being written, restore into a fresh installation, compare."""

import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, connections

from hotline.accounts.models import Role
from hotline.core.backup import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
    raw_connection,
)
from hotline.tickets import services as s
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    root = Path(settings.MEDIA_ROOT)
    (root / "documents").mkdir(parents=True)
    (root / "documents" / "letter-1.pdf").write_bytes(b"%PDF-1.7 letter")
    (root / "attachments").mkdir()
    (root / "attachments" / "photo.jpg").write_bytes(os.urandom(2048))
    return root


def _make(users, n: int) -> None:
    for i in range(n):
        s.ticket_create(
            actor=users[Role.OPERATOR], phone=f"139{i:08d}", summary=f"路灯不亮 {i}", kind="help"
        )


@contextmanager
def fresh_database(directory: Path):
    """A second, empty database beside the test one: a file in `directory` on SQLite, a
    new database on the same PostgreSQL server. Yields its settings dict."""
    base = connection.settings_dict
    if connection.vendor == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield {**base, "NAME": str(directory / "hotline.sqlite3")}
        return
    name = f"{base['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**base, "NAME": name}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _counts(db) -> dict[str, int]:
    conn = raw_connection(db)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        tickets = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM tickets_ticketevent")
        events = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket t WHERE NOT EXISTS (SELECT 1 FROM "
            "tickets_ticketevent e WHERE e.ticket_id = t.id AND e.kind = 'received')"
        )
        orphans = cursor.fetchone()[0]
    finally:
        conn.close()
    return {"tickets": tickets, "events": events, "orphans": orphans}


def test_drill_backup_while_writing_then_restore_and_compare(users, media, tmp_path):
    _make(users, 5)
    before = Ticket.objects.count()
    stop = threading.Event()
    written = []

    def writer():
        try:
            i = 1000
            while not stop.is_set() and i < 1200:
                s.ticket_create(
                    actor=users[Role.OPERATOR], phone=f"138{i:08d}", summary="噪音", kind="help"
                )
                written.append(i)
                i += 1
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        manifest = backup_create(out=tmp_path / "backup")
    finally:
        stop.set()
        thread.join()
    after = Ticket.objects.count()
    assert manifest["files"]["media/documents/letter-1.pdf"]["size"] == 15
    backup_verify(tmp_path / "backup")

    fresh = tmp_path / "fresh"
    with fresh_database(fresh) as target:
        backup_restore(directory=tmp_path / "backup", database=target, media_root=fresh / "media")
        counts = _counts(target)
    # A consistent snapshot: everything there before, nothing half-written, nothing
    # from after the backup ended.
    assert before <= counts["tickets"] <= after
    assert counts["orphans"] == 0
    assert counts["events"] >= counts["tickets"]
    restored = fresh / "media" / "attachments" / "photo.jpg"
    assert restored.read_bytes() == (media / "attachments" / "photo.jpg").read_bytes()
    assert Ticket.objects.count() == after  # the source was not touched


@pytest.mark.parametrize("damage", ["flip", "missing", "extra", "manifest"])
def test_a_damaged_backup_is_refused(users, media, tmp_path, damage):
    _make(users, 1)
    out = tmp_path / "b"
    backup_create(out=out)
    if damage == "flip":
        path = out / "media" / "attachments" / "photo.jpg"
        data = bytearray(path.read_bytes())
        data[10] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "missing":
        (out / "media" / "documents" / "letter-1.pdf").unlink()
    elif damage == "extra":
        (out / "media" / "planted.txt").write_text("x")
    else:
        (out / "manifest.json").write_text("{not json")
    with pytest.raises(BackupError) as refused:
        backup_restore(directory=out, force=True)
    assert "\n" not in str(refused.value) and "damaged" in str(refused.value)


def test_restore_refuses_a_database_that_is_not_empty(users, media, tmp_path):
    backup_create(out=tmp_path / "b")
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(directory=tmp_path / "b")


def test_backup_refuses_a_directory_in_use(db, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        backup_create(out=tmp_path / "used")


def test_cli_restore_of_a_damaged_backup_is_one_line(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text(json.dumps({"format": 1, "files": {}, "database": "x"}))
    env = {**os.environ, "HOTLINE_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    done = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "restore", str(broken)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0], done.stderr
