"""The one source of "now" (design rule 6).

Tests move time with time-machine. `frozen_at` is for code that must act at a chosen
moment, such as building the demo city's history through the real services.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_frozen: list[datetime] = []


def now() -> datetime:
    return _frozen[-1] if _frozen else timezone.now()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, now() is `moment` (nested blocks stack)."""
    _frozen.append(moment)
    try:
        yield
    finally:
        _frozen.pop()
