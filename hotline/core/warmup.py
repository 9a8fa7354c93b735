"""Pay a web process's one-time costs before it takes traffic (decision 0032).

Django does much of its start lazily, on the first request a process answers: the URL
configuration imports every app's views (about 430 modules, 0.5 s of CPU), the reverse
tables are built, each template is read and compiled on first use. A gunicorn worker
that starts cold makes its first callers wait for all of it, and a server whose workers
all start cold at once (a restart under load) answers its first second seconds late.

`warm()` does that work up front. `config/wsgi.py` calls it when the application is
loaded; `hotline serve` starts gunicorn with `--preload`, so it runs once in the master
and every worker is forked warm (sharing those pages until they are written). It reads
no database and leaves no connection open: a connection opened before the fork would be
shared by every worker."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.urls import URLResolver, get_resolver
from django.utils import translation
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
# The forms' and widgets' templates (rendered by the forms renderer's own engine).
FORM_TEMPLATES = "django/forms"


def warm() -> dict[str, int]:
    """Import the URL configuration, build its reverse tables, load the site language's
    catalogue, compile the project's templates and the forms' own, import what the first
    request would. Returns what it did, for the log and the tests."""
    done = {"urls": _urls(get_resolver())}
    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("")
    done["templates"] = _templates()
    done["forms"] = _forms()
    done["modules"] = _modules()
    connections.close_all()
    return done


def _urls(resolver: URLResolver) -> int:
    """Every resolver's patterns and reverse table, namespaces included."""
    count = 0
    for pattern in resolver.url_patterns:
        count += _urls(pattern) if isinstance(pattern, URLResolver) else 1
    resolver.reverse_dict  # noqa: B018 - building it is the point
    return count


def _templates() -> int:
    """Every template under the project's template directories, compiled into the engine's
    cached loader (the one requests use); third-party templates stay lazy."""
    package = Path(settings.PACKAGE_DIR).resolve()
    count = 0
    for engine in engines.all():
        for directory in map(Path, engine.template_dirs):
            if not directory.resolve().is_relative_to(package):
                continue
            for path in sorted(directory.rglob("*.html")):
                count += _compile(engine, path.relative_to(directory).as_posix())
    return count


def _forms() -> int:
    from django.forms.renderers import get_default_renderer

    engine = getattr(get_default_renderer(), "engine", None)  # None: TemplatesSetting
    if engine is None:
        return 0
    count = 0
    for directory in map(Path, engine.template_dirs):
        for path in sorted((directory / FORM_TEMPLATES).rglob("*.html")):
            count += _compile(engine, path.relative_to(directory).as_posix())
    return count


def _modules() -> int:
    """What the first request imports besides: the context processors, the message
    storage, each database's SQL compiler (no connection is opened for it)."""
    count = 0
    for engine in engines.all():
        if isinstance(engine, DjangoTemplates):
            count += len(engine.engine.template_context_processors)
    import_string(settings.MESSAGE_STORAGE)
    for alias in connections:
        connections[alias].ops.compiler("SQLCompiler")
        count += 1
    return count + 1


def _compile(engine, name: str) -> int:
    try:
        engine.get_template(name)
    except TemplateSyntaxError as exc:  # the page will fail when asked; the server starts
        log.warning("warm-up: template %s does not compile: %s", name, exc)
        return 0
    return 1
