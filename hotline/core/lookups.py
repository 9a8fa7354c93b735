"""`field__literal_in=[…]`: an IN whose constant values are written into the SQL.

A partial index serves a query only when the database can prove the index's condition
from the query's own terms. SQLite compares an IN list with the index's term by term and
takes a bound parameter there for an unknown: `state IN (?, ?)` never proves
`state IN ('handling', 'return_review')`, so every inbox tab over several states read
and sorted the unit's whole history (issue 16, decision 0040). With the values written
in, the term is the index's own. Keep the values in the index condition's order.

Only plain constants are accepted (choice values and ids): a str, an int; a string with
a quote or a percent sign is refused rather than escaped.
"""

from __future__ import annotations

from django.db.models import Field, Func
from django.db.models.lookups import In


def literal(value: object) -> str:
    """An SQL literal of a choice value or an id; ValueError for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"not a constant for literal_in: {value!r}")
    if isinstance(value, int):
        return str(int(value))
    text = str(value)  # a TextChoices member is its value
    if "'" in text or "%" in text or "\\" in text:
        raise ValueError(f"not a constant for literal_in: {value!r}")
    return f"'{text}'"


@Field.register_lookup
class LiteralIn(In):
    lookup_name = "literal_in"

    def process_rhs(self, compiler, connection):
        sql, params = super().process_rhs(compiler, connection)
        if not self.rhs_is_direct_value():
            return sql, params
        return "(" + ", ".join(literal(value) for value in params) + ")", ()


class Unindexed(Func):
    """A column compared as a value, not through an index on it: `+column` on SQLite (its
    documented way to keep a term out of index selection), the column as it is elsewhere.

    SQLite's statistics can make it seek a range of the index's third column once per
    value of the first two (a skip-scan over every unit's "due soon" assignments, then a
    sort) instead of walking one unit's entries in the tab's order: 100 ms at 1,000,000
    tickets against 4 ms (issue 16, decision 0040)."""

    template = "%(expressions)s"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)
