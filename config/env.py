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
    config = _parse_database("DATABASE_URL", url)
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
        _postgres_options(config)
    return config


def _postgres_options(config: dict[str, Any]) -> None:
    options = config.setdefault("OPTIONS", {})
    options["connect_timeout"] = 5
    # No JIT compiling (decision 0050): a word search's count stops at its cap but is
    # costed for every match, so at 10,000,000 tickets JIT spent most of its time
    # compiling; the reports measured the same with and without it.
    options.setdefault("options", "-c jit=off")


def _parse_database(name: str, url: str) -> dict[str, Any]:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in SUPPORTED_DB_SCHEMES:
        raise ConfigError(
            f"{name} {redact_url(url)!r} is not supported: "
            "use sqlite:///path/to/file.sqlite3 or postgres://user:password@host:5432/name"
        )
    try:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ConfigError(f"{name} {redact_url(url)!r} is malformed: {exc}") from None


def replica_database() -> dict[str, Any] | None:
    """DATABASE_REPLICA_URL: a PostgreSQL streaming replica of DATABASE_URL from which
    reports and dashboards read (hotline.core.replica). None when unset."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    config = _parse_database("DATABASE_REPLICA_URL", url)
    if config["ENGINE"].endswith("sqlite3"):
        raise ConfigError(
            f"DATABASE_REPLICA_URL {redact_url(url)!r} is not supported: a read replica is a "
            "PostgreSQL standby, postgres://user:password@host:5432/name"
        )
    _postgres_options(config)
    # A test run has no standby: the replica alias reads the test database.
    config["TEST"] = {"MIRROR": "default"}
    return config


REDIS_SCHEMES = ("redis", "rediss", "unix")


def caches() -> dict[str, Any] | None:
    """REDIS_URL: the cache (and with it the sessions, settings.SESSION_ENGINE) in Redis,
    shared by every web server. None when unset (each process keeps its own memory)."""
    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        return None
    usage = "use redis://[:password@]host:6379/0 (rediss:// with TLS)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(f"REDIS_URL {redact_url(url)!r} is malformed: {usage}") from None
    if parts.scheme not in REDIS_SCHEMES:
        raise ConfigError(f"REDIS_URL {redact_url(url)!r} is not supported: {usage}")
    if parts.scheme != "unix":
        db = parts.path.strip("/")
        if not parts.hostname or (db and not db.isdigit()) or (port is not None and port <= 0):
            raise ConfigError(f"REDIS_URL {redact_url(url)!r} is malformed: {usage}")
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "hotline",
            "TIMEOUT": env_int("HOTLINE_CACHE_SECONDS", 300),
        }
    }
