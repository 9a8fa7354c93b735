"""Numbers people quote (R-DA-1): per-series counters, and the official document number
青溪12345简〔2026〕12号 (LX 四6: reports numbered by date).

Any app keeps its counter rows in its own model (a few key fields and `last`); this
module only takes the next numbers, so tickets, submissions, supervision letters and
report documents share one way of numbering without sharing a table.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, models, router


def next_in_series(counter: type[models.Model], *, count: int = 1, **key: Any) -> int:
    """Take the next `count` numbers of the series `key` in `counter` (unique on the key's
    fields, with an integer `last`) and return the last of them.

    One upsert creates the series' row or adds to it and returns the new `last`
    (PostgreSQL, and SQLite 3.35+). The row stays locked until the caller's transaction
    ends, so call it inside the transaction that stores the numbers: two writers never
    take the same number, and a rolled-back one leaves no gap."""
    connection = connections[router.db_for_write(counter)]
    quote = connection.ops.quote_name
    fields = [_field(counter, name) for name in key]
    columns = ", ".join(quote(field.column) for field in fields)
    table, last = quote(counter._meta.db_table), quote(_field(counter, "last").column)
    values = [field.get_db_prep_value(key[field.name], connection) for field in fields]
    marks = ", ".join(["%s"] * (len(fields) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {last}) VALUES ({marks}) "
            f"ON CONFLICT ({columns}) DO UPDATE SET {last} = {table}.{last} + excluded.{last} "
            f"RETURNING {last}",
            [*values, count],
        )
        return cursor.fetchone()[0]


def _field(counter: type[models.Model], name: str) -> models.Field:
    field = counter._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def official_number(prefix: str, year: int, sequence: int) -> str:
    """青溪12345督〔2026〕7号: the issuer's prefix, the year in 〔〕, the sequence, 号."""
    return f"{prefix}〔{year}〕{sequence}号"
