"""Backup and restore of a hotline installation (issue 14 item 14; 等保 8.1.4.9 数据备份恢复).

A backup directory holds the database (SQLite through its online backup API, so the
server keeps running; PostgreSQL through `pg_dump --format=custom`, a consistent
snapshot), the uploaded and rendered files under MEDIA_ROOT, and `manifest.json` with
the size and SHA-256 of every file. `restore` checks every checksum before it touches
anything and refuses a damaged or incomplete backup in one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from hotline.core import clock

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """The message is for the operator: one line, what is wrong and where."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            yield path


def _vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{command[0]} failed: {reason}")


def backup_create(*, out: Path, alias: str = "default") -> dict[str, Any]:
    """Write a backup of the database and the media files into the new directory `out`."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: back up into a new directory")
    out.mkdir(parents=True, exist_ok=True)
    db = connections[alias].settings_dict
    vendor = _vendor(alias)
    started = clock.now()
    if vendor == "sqlite":
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(out / SQLITE_FILE))
        try:
            source.backup(target)  # consistent while others write
        finally:
            target.close()
            source.close()
    elif vendor == "postgresql":
        args, env = _pg_env(db)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args,
             "--file", str(out / PG_FILE), str(db["NAME"])],
            env,
        )  # fmt: skip
    else:
        raise BackupError(f"cannot back up a {vendor} database")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, out / "media", dirs_exist_ok=True)
    manifest = {
        "format": FORMAT,
        "engine": vendor,
        "created_at": started.isoformat(),
        "database": SQLITE_FILE if vendor == "sqlite" else PG_FILE,
        "files": {
            str(path.relative_to(out)): {"size": path.stat().st_size, "sha256": _sha256(path)}
            for path in _files(out)
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def backup_verify(directory: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is present with its size and checksum."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        files = manifest["files"]
        database = manifest["database"]
    except FileNotFoundError:
        raise BackupError(f"{directory} is not a backup: {MANIFEST} is missing") from None
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{directory} is damaged: {MANIFEST} is unreadable") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory} has backup format {manifest.get('format')}, not {FORMAT}")
    if database not in files:
        raise BackupError(f"{directory} is damaged: the database file is not in the manifest")
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{directory} is damaged: {name} is missing")
        if path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{directory} is damaged: {name} does not match its checksum")
    extra = {str(p.relative_to(directory)) for p in _files(directory)} - set(files)
    if extra:
        raise BackupError(f"{directory} is damaged: {sorted(extra)[0]} is not in the manifest")
    return manifest


def _engine(db: dict[str, Any]) -> str:
    engine = str(db["ENGINE"])
    return (
        "sqlite" if engine.endswith("sqlite3") else "postgresql" if "postgres" in engine else engine
    )


def raw_connection(db: dict[str, Any]) -> Any:
    """A DB-API connection to the database `db` (a settings dict), outside Django's
    connection handling: restore works on a database Django is not using."""
    if _engine(db) == "sqlite":
        return sqlite3.connect(str(db["NAME"]))
    import psycopg

    return psycopg.connect(
        dbname=str(db["NAME"]),
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )


def _has_tables(db: dict[str, Any]) -> bool:
    if _engine(db) == "sqlite" and not Path(str(db["NAME"])).exists():
        return False
    conn = raw_connection(db)
    try:
        cursor = conn.cursor()
        if _engine(db) == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        else:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return bool(cursor.fetchone()[0])
    finally:
        conn.close()


def backup_restore(
    *,
    directory: Path,
    database: dict[str, Any] | None = None,
    media_root: Path | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Restore a verified backup into the (empty) database — the configured one unless
    `database` gives another settings dict — and MEDIA_ROOT (or `media_root`)."""
    directory = Path(directory)
    manifest = backup_verify(directory)
    if database is None:
        connections["default"].close()
        database = connections["default"].settings_dict
    vendor = _engine(database)
    if manifest["engine"] != vendor:
        raise BackupError(
            f"{directory} holds a {manifest['engine']} backup; this installation uses {vendor}"
        )
    if not force and _has_tables(database):
        raise BackupError(
            "the database is not empty: restore into a fresh installation (or use --force)"
        )
    db = database
    if vendor == "sqlite":
        target_path = Path(str(db["NAME"]))
        target_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        source = sqlite3.connect(str(directory / SQLITE_FILE))
        target = sqlite3.connect(str(target_path))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env = _pg_env(db)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", *args, "--dbname", str(db["NAME"]),
             str(directory / PG_FILE)],
            env,
        )  # fmt: skip
    media_source = directory / "media"
    if media_source.is_dir():
        shutil.copytree(media_source, Path(media_root or settings.MEDIA_ROOT), dirs_exist_ok=True)
    return manifest
