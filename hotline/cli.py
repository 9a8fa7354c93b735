"""The `hotline` command: `serve`, `demo-city`, and every Django management command.

Configuration problems and an unreachable database end in one line on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import os
import sys

EXIT_CONFIG = 2
EXIT_DATABASE = 3

USAGE = """usage: hotline COMMAND [options]

  serve [--bind HOST:PORT] [--workers N] [--with-tick] [--no-setup]
                                           migrate, collect static files, serve with gunicorn
                                           (--no-setup: neither; several servers, one release)
  tick [--once]                            reminders and deliveries, forever or one pass
  demo-city                                build the demo city (idempotent), print accounts
  import-units FILE                        import units from .xlsx or .csv
  knowledge import --csv FILE              import knowledge entries (all or none)
  backup --out DIR                         database + media files + manifest with checksums
  restore DIR                              restore a backup into a fresh installation
  createsuperuser, migrate, shell, ...     any Django management command

Settings come from the environment: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS,
HOTLINE_DATA_DIR (see README).
"""


def _fail(message: str, code: int) -> int:
    print(f"hotline: {message}", file=sys.stderr)
    return code


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _check_database() -> None:
    from django.db import connection

    connection.ensure_connection()


def _migrate_for(name: str) -> None:
    """The hotline's own commands (deadline, tick, demo-city, imports, ...) bring the
    database up to date first, as `serve` does, so a fresh data directory works instead
    of failing with "no such table". Django's own commands (migrate, shell, ...) are left
    as they are."""
    from django.core.management import call_command, get_commands

    if get_commands().get(name, "").startswith("hotline."):
        call_command("migrate", interactive=False, verbosity=0)


def _serve(args: list[str]) -> None:
    import argparse

    from django.conf import settings
    from django.core.management import call_command

    parser = argparse.ArgumentParser(prog="hotline serve")
    parser.add_argument("--bind", default=os.environ.get("HOTLINE_BIND", "127.0.0.1:8000"))
    # gunicorn's own advice: (2 x cores) + 1 sync workers, so one waiting on the database
    # or the disk does not leave a core idle (bench/portal.py measured it, issue 13).
    workers = os.environ.get("HOTLINE_WORKERS") or str(2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--workers", type=int, default=int(workers))
    # Threads per worker (gunicorn gthread): a request waiting for the database leaves
    # the worker to another (bench/README.md, intake throughput).
    parser.add_argument("--threads", type=int, default=int(os.environ.get("HOTLINE_THREADS", "1")))
    parser.add_argument(
        "--with-tick",
        action="store_true",
        help="also run `hotline tick` (reminders, deliveries) beside the server",
    )
    parser.add_argument(
        "--no-setup",
        action="store_true",
        help="skip migrate and collectstatic: run once per release (`hotline migrate`, "
        "`hotline collectstatic`) when several servers share one database",
    )
    options = parser.parse_args(args)

    if not options.no_setup:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
    print(f"hotline: serving on http://{options.bind} (data in {settings.DATA_DIR})", flush=True)
    if options.with_tick:
        import atexit
        import subprocess

        tick = subprocess.Popen([sys.executable, "-m", "hotline.cli", "tick"])
        atexit.register(tick.terminate)
    from django.db import connections
    from gunicorn.app.wsgiapp import run

    # gunicorn forks its workers from this process: a database connection opened here
    # (the check, migrate) would be inherited by every worker, and two workers talking
    # over one socket garble each other's queries (found by the crash test, issue 14
    # item 13). Each worker opens its own.
    connections.close_all()
    # --preload: the application is loaded, and warmed (config/wsgi.py), once in the
    # master before the workers are forked, so none of them answers its first callers
    # cold (decision 0032). A new release needs a restart, not a HUP.
    sys.argv = [
        "gunicorn",
        "--bind", options.bind,
        "--workers", str(options.workers),
        "--threads", str(options.threads),
        "--preload",
        "--access-logfile", "-",
        "--timeout", "60",
        "config.wsgi:application",
    ]  # fmt: skip
    run()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]

    from config.env import ConfigError

    try:
        _setup()
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG)

    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError

    try:
        if command == "serve":
            _check_database()
            _serve(rest)
            return 0
        from django.core.management import execute_from_command_line

        name = command.replace("-", "_")
        if command not in ("help", "version", "--version"):
            _check_database()
            _migrate_for(name)
        execute_from_command_line(["hotline", name, *rest])
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except ImproperlyConfigured as exc:
        return _fail(f"configuration error: {exc}", EXIT_CONFIG)
    except OperationalError as exc:
        from config.env import redact_url

        url = redact_url(os.environ.get("DATABASE_URL", "") or "sqlite (default)")
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(f"cannot use the database {url}: {reason}", EXIT_DATABASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
