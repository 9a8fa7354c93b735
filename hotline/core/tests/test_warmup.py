"""Decision 0032: a web process pays its one-time costs before it takes traffic, once in
gunicorn's master (`hotline serve --preload`), so no worker answers its first callers cold."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.db import connections
from django.template import engines

from hotline import cli
from hotline.core.warmup import warm

PROBE = """
import json, sys
import config.wsgi
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "views": sorted(m for m in ("hotline.portal.views", "hotline.workbench.views",
                                "hotline.api.api") if m in sys.modules),
    "templates": sorted(loader.get_template_cache),
}))
"""


def _cached_loader():
    return engines["django"].engine.template_loaders[0]


def test_warm_compiles_the_project_templates_and_builds_every_url_table():
    loader = _cached_loader()
    loader.reset()
    done = warm()
    assert "portal/track.html" in loader.get_template_cache
    assert "portal/submit.html" in loader.get_template_cache
    assert done["templates"] >= 100 and done["forms"] >= 10 and done["urls"] >= 100
    # Only the project's own templates: the admin's stay lazy.
    assert not any(name.startswith("admin/") for name in loader.get_template_cache)


def test_warm_leaves_no_database_connection_for_the_workers_to_share():
    warm()
    assert all(connections[alias].connection is None for alias in connections)


def test_loading_the_wsgi_application_warms_the_process(tmp_path):
    environment = {**os.environ, "HOTLINE_DATA_DIR": str(tmp_path)}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["views"] == ["hotline.api.api", "hotline.portal.views", "hotline.workbench.views"]
    assert "portal/track.html" in state["templates"]
    assert "workbench/dispatch.html" in state["templates"]


def test_serve_preloads_the_application_in_the_master(monkeypatch):
    started = []
    monkeypatch.setattr(sys, "argv", ["hotline"])
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: started.append(list(sys.argv)))
    cli._serve(["--no-setup", "--bind", "127.0.0.1:8749", "--workers", "2"])
    assert started and "--preload" in started[0]
    assert started[0][-1] == "config.wsgi:application"
