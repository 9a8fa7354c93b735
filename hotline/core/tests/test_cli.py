"""The hotline command: clear one-line errors, no tracebacks."""

import os
import subprocess
import sys

import pytest


def run(*args, **env):
    environment = {**os.environ, "HOTLINE_DATA_DIR": env.pop("data_dir")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DATABASE_URL", None)  # the SQLite file in data_dir unless given
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_help(tmp_path):
    result = run("--help", data_dir=str(tmp_path))
    assert result.returncode == 0 and "demo-city" in result.stdout


@pytest.mark.parametrize(
    "url", ["mysql://x@localhost/db", "nonsense", "postgres://u:p@h:notaport/db"]
)
def test_bad_database_url_is_one_line(tmp_path, url):
    result = run("migrate", data_dir=str(tmp_path), DATABASE_URL=url)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotline: ")
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_and_hides_password(tmp_path):
    result = run(
        "migrate",
        data_dir=str(tmp_path),
        DATABASE_URL="postgres://hotline:secret@127.0.0.1:1/hotline",
    )
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot use the database" in lines[0]
    assert "secret" not in result.stderr


def test_demo_city_through_the_command(tmp_path):
    result = run("demo-city", "--tickets", "30", data_dir=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "admin@12345" in result.stdout
    assert (tmp_path / "hotline.sqlite3").exists()


def test_own_commands_migrate_first_on_a_fresh_data_directory(tmp_path):
    """issue 15 item 18: `hotline deadline` on an empty data directory works."""
    result = run(
        "deadline", "--from", "2026-12-03T10:00", "--working-days", "3", data_dir=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2026-12-08") and "no such table" not in result.stderr
