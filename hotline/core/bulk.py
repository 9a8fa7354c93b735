"""Bulk writes on a hot path: many rows of one model in a few statements, with the values
bound apart from the SQL on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

BULK_SIZE = 1000  # rows per INSERT


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False
) -> list[Any]:
    """Insert many rows of one model, given as {field attname: value}, the other fields
    taking their defaults (a callable default is called once per call: one `now` for
    the lot). Returns the new ids in the order given (none with `ignore_conflicts`: ON
    CONFLICT DO NOTHING / INSERT OR IGNORE, on any unique constraint).

    On PostgreSQL it is `INSERT … SELECT * FROM unnest(<one array per column>)` with the
    values as given, without model instances or bulk_create's per-value preparation,
    which are most of the time at thousands of rows (the sweeper writes ~5 rows per
    reminder). The values must be ready for the database: text, numbers, ids, aware
    datetimes, JSON-serialisable data for JSON fields. Elsewhere it is bulk_create()."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    pk = model._meta.pk
    assert pk is not None
    defaults = {f.attname: f.get_default() for f in fields if any(f.attname not in r for r in rows)}
    if connection.vendor != "postgresql":
        objs = [model(**{**defaults, **row}) for row in rows]
        model._default_manager.bulk_create(
            objs, batch_size=BULK_SIZE, ignore_conflicts=ignore_conflicts
        )
        return [] if ignore_conflicts else [obj.pk for obj in objs]
    quote = connection.ops.quote_name
    casts = [
        "%b::text[]::jsonb[]"
        if isinstance(f, models.JSONField)
        else f"%b::{f.db_type(connection)}[]"
        for f in fields
    ]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({', '.join(casts)}) "
        + ("ON CONFLICT DO NOTHING" if ignore_conflicts else f"RETURNING {quote(pk.column)}")
    )
    ids: list[Any] = []
    for start in range(0, len(rows), BULK_SIZE):
        chunk = rows[start : start + BULK_SIZE]
        arrays = []
        for f in fields:
            name, default = f.attname, defaults.get(f.attname)
            values = [row.get(name, default) for row in chunk]
            if isinstance(f, models.JSONField):
                values = [None if v is None else json.dumps(v, cls=f.encoder) for v in values]
            arrays.append(values)
        with bound_cursor() as cursor:
            cursor.execute(sql, arrays)
            if not ignore_conflicts:
                ids += [row[0] for row in cursor.fetchall()]  # in the order given
    return ids


@contextmanager
def bound_cursor() -> Iterator[Any]:
    """A PostgreSQL cursor that sends the parameters apart from the statement (psycopg's
    server-side binding; `%b` asks for binary), wrapped as Django wraps its own (execute
    wrappers, query log), in the current transaction. Django's cursors merge the values
    into the SQL text on the client, which for arrays of thousands of strings means
    quoting each one in Python: most of a bulk insert's time."""
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:  # type: ignore[arg-type]  # (stubs: any DB-API cursor)
        yield cursor
