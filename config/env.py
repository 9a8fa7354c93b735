"""Reading settings from the environment (design rule 7).

Kept apart from settings.py so the CLI can validate DATABASE_URL and report a
one-line error before Django starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

SUPPORTED_DB_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


class ConfigError(Exception):
    """A setting from the environment is unusable; the message is for the operator."""


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """Where the SQLite file, uploads, collected static files and the secret key live."""
    raw = os.environ.get("HOTLINE_DATA_DIR")
    path = Path(raw) if raw else Path.home() / ".local" / "share" / "hotline"
    return path.expanduser().resolve()


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def database(directory: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        directory.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{directory / 'hotline.sqlite3'}"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in SUPPORTED_DB_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL {redact_url(url)!r} is not supported: "
            "use sqlite:///path/to/file.sqlite3 or postgres://user:password@host:5432/name"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL {redact_url(url)!r} is malformed: {exc}") from None
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers work while one writer commits; IMMEDIATE makes a writing
        # transaction take the lock up front, so two writers queue instead of failing.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config
