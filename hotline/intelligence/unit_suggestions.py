"""Dispatch suggestion (派单建议, R-HM-9): which units most likely handle a ticket.

The finished tickets' k-NN index is built once per process and refreshed in the
background (`routing_history`); `suggest_units` ranks the units and never fails intake.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)


@dataclass
class _History:
    history: Any = None
    built: float = float("-inf")
    rebuilding: bool = False


_routing = _History()
_routing_lock = threading.Lock()


def _rebuild_routing() -> None:
    from django.db import connection

    from hotline.intelligence.routing import History, history_cases

    try:
        history = History(history_cases())
        with _routing_lock:
            _routing.history, _routing.built = history, time.monotonic()
    except Exception:  # the old index stays; the next request tries again
        log.exception("rebuilding the routing history failed")
    finally:
        _routing.rebuilding = False
        connection.close()  # this thread's own connection


def routing_history():
    """The finished tickets' k-NN index, rebuilt at most every
    `HOTLINE_ROUTING_REFRESH_SECONDS` (default 600) per process. Only the very first
    build makes a request wait; later rebuilds run in a background thread while the
    requests keep using the index they have (an operator on a call never waits for it)."""
    from hotline.intelligence.routing import History, history_cases

    interval = float(getattr(settings, "HOTLINE_ROUTING_REFRESH_SECONDS", 600.0))
    with _routing_lock:
        if _routing.history is None:
            _routing.history = History(history_cases())
            _routing.built = time.monotonic()
        elif time.monotonic() - _routing.built >= interval and not _routing.rebuilding:
            _routing.rebuilding = True
            threading.Thread(target=_rebuild_routing, daemon=True).start()
        return _routing.history


def forget_routing_history() -> None:
    with _routing_lock:
        _routing.history, _routing.built = None, float("-inf")
        _routing.rebuilding = False


@dataclass(frozen=True)
class UnitSuggestion:
    unit: Any  # hotline.directory.models.Unit
    score: float
    parts: dict
    similar: int

    @property
    def why(self) -> str:
        from django.utils.translation import gettext as _

        names = {
            "history": _("similar tickets"),
            "catalog": _("dispatch catalog"),
            "topic": _("topic"),
            "place": _("place"),
        }
        return ", ".join(f"{names[k]} {round(v * 100)}%" for k, v in self.parts.items())


def _local_place(unit, units: dict) -> int | None:
    """The town or district a unit belongs to (itself, or its nearest such ancestor);
    None for city-wide units (departments, utilities and their offices)."""
    from hotline.directory.models import UnitKind

    seen = 0
    while unit is not None and seen < 10:
        if unit.kind in (UnitKind.TOWN, UnitKind.DISTRICT):
            return unit.pk
        unit = units.get(unit.parent_id)
        seen += 1
    return None


def suggest_units(
    *, text: str, on=None, topic=None, region=None, address: str = "", limit: int = 5
) -> list[UnitSuggestion]:
    """Units most likely to handle `text`, best first, from the catalog, the topic, the
    region and which unit finally handled similar tickets (after any send-back). [] when
    there is neither a catalog match nor history; never an error.

    The place decides among local units: with a region (or an address naming a town or
    street), the towns, streets and communities of other places are not suggested (a
    江滨街道 address never suggests 城东街道)."""
    from hotline.directory.models import Unit
    from hotline.directory.selectors import catalog_suggest, today
    from hotline.intelligence.routing import rank

    if not text or not text.strip():
        return []
    try:
        catalog: dict[int, float] = {}
        for s in catalog_suggest(text=text, on=on or today(), limit=20):
            catalog[s.item.unit_id] = catalog.get(s.item.unit_id, 0) + s.score
        every = {u.pk: u for u in Unit.objects.active()}
        units = {pk: u for pk, u in every.items() if u.may_lead}
        if region is None and address:
            from hotline.directory.selectors import unit_for_place

            region = unit_for_place(address)
        place = getattr(region, "pk", region)
        if place is not None:
            place = _local_place(every.get(place), every) or place
            units = {pk: u for pk, u in units.items() if _local_place(u, every) in (None, place)}
        ranked = rank(
            text,
            history=routing_history(),
            catalog=catalog,
            topic_id=getattr(topic, "pk", topic),
            region_id=getattr(region, "pk", region),
            allowed=units,
            limit=limit,
        )
        return [UnitSuggestion(units[r.unit_id], r.score, r.parts, r.similar) for r in ranked]
    except Exception:  # a suggestion must never break intake or dispatch
        log.exception("unit suggestion failed")
        return []
