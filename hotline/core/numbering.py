"""Numbers people quote (R-DA-1): per-series counters taken under a row lock, and the
official document number 青溪12345简〔2026〕12号 (LX 四6: reports numbered by date).

Any app keeps its counter rows in its own model (a few key fields and `last`); this
module only takes the next number, so supervision letters and report documents share
one way of numbering without sharing a table.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction


def next_in_series(counter: type[models.Model], **key: Any) -> int:
    """The next number of the series `key` in `counter` (unique on the key's fields, with
    an integer `last`). Call it inside the transaction that stores the number: the row
    stays locked until it commits, so two writers never take the same number."""
    try:
        with transaction.atomic():
            counter._default_manager.create(**key)
    except IntegrityError:
        pass  # another transaction made this series' row first
    row = counter._default_manager.select_for_update().get(**key)
    row.last += 1  # type: ignore[attr-defined]
    row.save(update_fields=["last"])
    return row.last  # type: ignore[attr-defined]


def official_number(prefix: str, year: int, sequence: int) -> str:
    """青溪12345督〔2026〕7号: the issuer's prefix, the year in 〔〕, the sequence, 号."""
    return f"{prefix}〔{year}〕{sequence}号"
