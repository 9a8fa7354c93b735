"""Every read of the intelligence app: topic suggestions for the intake form, hotspots.

The served topic model is loaded once per process and kept; at most every
`HOTLINE_MODEL_CHECK_SECONDS` (default 5) one indexed query asks whether a newer active
version exists, and if so that file is loaded and swapped in, so a new model is served
without a restart. A missing or altered file is logged and the old model kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from hotline.intelligence.classifier import TopicClassifier, TrainingError, sha256
from hotline.intelligence.models import ModelVersion
from hotline.intelligence.unit_suggestions import (  # re-exported for callers
    UnitSuggestion as UnitSuggestion,
)
from hotline.intelligence.unit_suggestions import (
    forget_routing_history as forget_routing_history,
)
from hotline.intelligence.unit_suggestions import routing_history as routing_history
from hotline.intelligence.unit_suggestions import suggest_units as suggest_units

log = logging.getLogger(__name__)


@dataclass
class _Served:
    version_id: int | None = None
    model: TopicClassifier | None = None
    checked: float = float("-inf")


_served = _Served()
_lock = threading.Lock()


def _check_interval() -> float:
    return float(getattr(settings, "HOTLINE_MODEL_CHECK_SECONDS", 5.0))


def _load(row: Mapping[str, Any]) -> TopicClassifier | None:
    path = Path(settings.DATA_DIR) / "models" / row["file"]
    try:
        data = path.read_bytes()
        if sha256(data) != row["sha256"]:
            raise TrainingError("checksum does not match the database")
        return TopicClassifier.from_bytes(data)
    except Exception as exc:  # a missing, altered or unreadable file: keep the old model
        log.error("topic model %s not loaded: %s", path, exc)
        return None


def level1_name(topic) -> str:
    """The name of the level-1 topic above `topic` (itself at level 1): a ticket's label."""
    while topic.parent_id is not None:
        topic = topic.parent
    return topic.name


def active_topic_model() -> TopicClassifier | None:
    """The newest active topic model, or None when none is trained."""
    now = time.monotonic()
    if now - _served.checked < _check_interval():
        return _served.model
    with _lock:
        if now - _served.checked < _check_interval():
            return _served.model
        row = (
            ModelVersion.objects.filter(kind=ModelVersion.Kind.TOPIC, active=True)
            .order_by("-number")
            .values("id", "file", "sha256")
            .first()
        )
        if row is None:
            _served.version_id, _served.model = None, None
        elif row["id"] != _served.version_id:
            model = _load(row)
            if model is not None:
                _served.version_id, _served.model = row["id"], model
        _served.checked = time.monotonic()
        return _served.model


def forget_served_model() -> None:
    """Drop the cached model (tests; after deleting files by hand)."""
    with _lock:
        _served.version_id, _served.model, _served.checked = None, None, float("-inf")


def suggest_topics(text: str, k: int = 3) -> list[tuple[str, float]]:
    """The `k` most likely level-1 topics of `text` with their probabilities, best first
    (R-IN-3). [] when no model is trained or the text is empty: the form works without."""
    if not text or not text.strip():
        return []
    model = active_topic_model()
    if model is None:
        return []
    try:
        return model.top(text, k)
    except Exception:  # a suggestion must never break intake
        log.exception("topic suggestion failed")
        return []


@dataclass(frozen=True)
class TopicChoice:
    name: str
    probability: float
    topic: Any = None  # the level-1 Topic of that name, when the city's tree has one


def topic_choices(text: str, k: int = 3) -> list[TopicChoice]:
    """The classifier's top `k` level-1 topics with the city's Topic rows, so the intake
    picker offers them as one-click choices (R-IN-3)."""
    from hotline.directory.models import Topic

    found = suggest_topics(text, k)
    if not found:
        return []
    rows = {
        t.name: t
        for t in Topic.objects.active().filter(level=1, name__in=[name for name, _ in found])
    }
    return [TopicChoice(name, p, rows.get(name)) for name, p in found]


def ticket_hotspots(
    *, user, days: int = 90, top: int = 20, window_days: float = 30, limit: int = 20000
) -> list:
    """Hotspots among the tickets `user` may see, received in the last `days` days
    (R-DA-3, R-DA-4). Members are ticket numbers; the place falls back to the region."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils.timezone import localtime

    from hotline.core import clock
    from hotline.intelligence.hotspots import Message, find_hotspots
    from hotline.tickets.models import Ticket
    from hotline.tickets.states import Status

    since = clock.now() - timedelta(days=days)
    key = f"intelligence:hotspots:{user.pk}:{days}:{top}:{window_days}:{since:%Y%m%d%H}"
    found = cache.get(key)
    if found is not None:
        return found
    rows = (
        Ticket.objects.visible_to(user)
        .filter(received_at__gte=since)
        .exclude(status=Status.DECLINED)
        .order_by("-received_at")
        .values_list("number", "summary", "detail", "received_at", "citizen_id", "region__name")
    )[:limit]
    messages = [
        Message(
            id=number,
            subject=summary,
            detail=detail,
            at=localtime(at),
            user=str(citizen),
            area=region or "",
        )
        for number, summary, detail, at, citizen, region in rows
    ]
    found = find_hotspots(messages, window_days=window_days, top=top, now=clock.now())
    cache.set(key, found, 600)
    return found


# --- near-duplicates (并单, R-IN-4 repeats) -------------------------------------------------


def _area_units(area) -> list[int] | None:
    """The area (a Unit or its id) and every unit under it; None for the whole city."""
    if area is None or area == "":
        return None
    from hotline.directory.selectors import unit_and_descendants

    return unit_and_descendants(int(getattr(area, "pk", area)))


def similar_tickets(
    text: str,
    *,
    area=None,
    user,
    limit: int = 5,
    exclude=None,
    days: int | None = None,
) -> list:
    """Open and closed tickets of the last 90 days (`days`) that `user` may see, whose text
    is nearly `text`, most similar first (并单 merge; repeats, R-IN-4). With `area` (a
    region unit or its id), only tickets of that region or a unit under it. `exclude` is a
    ticket (or id) left out, e.g. the one being dispatched. Merged and declined tickets are
    left out: the ticket they went into, or none, is the one to point at.

    Tickets not yet indexed (the tick job indexes them) are indexed first, up to
    `duplicates.CATCH_UP`; an empty index or a failure gives [], never an error."""
    from hotline.intelligence import duplicates
    from hotline.tickets.models import Ticket
    from hotline.tickets.states import Status

    if not text or not duplicates.normalize(text):
        return []
    try:
        with transaction.atomic():  # a savepoint: a failed write spoils no outer transaction
            duplicates.index_pending(limit=duplicates.CATCH_UP, heal_days=0)
        tickets = (
            Ticket.objects.visible_to(user)
            .exclude(status__in=[Status.MERGED, Status.DECLINED])
            .only("id", "number", "summary", "detail", "status", "received_at", "address")
        )
        return duplicates.find_similar(
            text,
            tickets=tickets,
            regions=_area_units(area),
            days=days or duplicates.WINDOW_DAYS,
            limit=limit,
            exclude=getattr(exclude, "pk", exclude),
        )
    except Exception:  # a suggestion must never break intake
        log.exception("duplicate lookup failed")
        return []


# --- kind check (质检) ------------------------------------------------------------------


def kind_review(*, user, days: int = 30, limit: int = 5000) -> list:
    """Tickets of the last `days` days `user` may see whose recorded kind disagrees with
    their text, newest first, each with its finding (the supervisors' quality review)."""
    from datetime import timedelta

    from hotline.core import clock
    from hotline.intelligence.kindcheck import check_kind
    from hotline.tickets.models import Ticket

    tickets = (
        Ticket.objects.visible_to(user)
        .filter(received_at__gte=clock.now() - timedelta(days=days))
        .only("id", "number", "summary", "detail", "kind", "received_at", "operator_id")
        .select_related("operator")
        .order_by("-received_at")[:limit]
    )
    found = []
    for t in tickets:
        finding = check_kind(t.summary, t.detail, t.kind)
        if finding is not None:
            found.append((t, finding))
    return found


# --- smart form filling (智能填单) --------------------------------------------------------


def _gazetteers() -> tuple[list[str], list[str]]:
    """Region names (districts, towns, streets, communities, with and without their
    办事处/人民政府 ending) and every unit's name, for the form-filling extractor."""
    from django.core.cache import cache

    from hotline.directory.models import Unit, UnitKind

    found = cache.get("intelligence:fill:gazetteers")
    if found is not None:
        return found
    regions, units = [], []
    for name, kind in Unit.objects.active().values_list("name", "kind"):
        units.append(name)
        if kind in (UnitKind.DISTRICT, UnitKind.TOWN, UnitKind.COMMUNITY):
            regions.append(name)
            for ending in ("办事处", "人民政府", "居委会", "村委会"):
                if name.endswith(ending) and len(name) - len(ending) >= 2:
                    regions.append(name[: -len(ending)])
    found = (regions, units)
    cache.set("intelligence:fill:gazetteers", found, 300)
    return found


def fill_suggestions(text: str) -> dict:
    """Suggestions for the intake form from free text or a transcript (智能填单); {} for
    empty text and never an error: the form works without them."""
    from hotline.intelligence.fill import fill

    if not text or not text.strip():
        return {}
    try:
        regions, units = _gazetteers()
        top = suggest_topics(text, 1)
        return fill(
            text[:2000],
            places_gazetteer=regions,
            units_gazetteer=units,
            topic=top[0] if top else None,
        )
    except Exception:  # a suggestion must never break intake
        log.exception("form filling failed")
        return {}


def deeper_topic(text: str, level1, *, on=None):
    """The most specific topic under `level1` (a Topic) that the text's words support
    (R-IN-3, levels 2 and 3): catalog items in force whose keywords occur in the text and
    whose topic sits in that branch, else a lower topic whose own name occurs in the
    text. Returns (topic, evidence words) or None. The trained model gives level 1 only:
    no city ticket is labelled below it yet, so lower levels come from this evidence."""
    from hotline.directory.models import Topic
    from hotline.directory.selectors import catalog_suggest, today

    if level1 is None or not text.strip():
        return None
    branch = {
        t.pk: t
        for t in Topic.objects.active()
        .with_path()
        .filter(
            models_q_branch(level1.pk)  # children and grandchildren
        )
    }
    for s in catalog_suggest(text=text, on=on or today(), limit=20):
        if s.item.topic_id in branch:
            return branch[s.item.topic_id], list(s.matched)
    named = [t for t in branch.values() if t.name in text]
    if named:
        best = max(named, key=lambda t: (t.level, len(t.name)))
        return best, [best.name]
    return None


def models_q_branch(level1_id: int):
    from django.db.models import Q

    return Q(parent_id=level1_id) | Q(parent__parent_id=level1_id)


# --- the topic model over time (drift) ----------------------------------------------------


def topic_drift(*, user, weeks: int = 8, limit: int = 3000) -> dict:
    """How the served topic model does on the recent finished tickets `user` may see,
    week by week (hit rate of the first and of the three suggestions against each
    ticket's final level-1 topic), and the stored model versions with their held-back
    scores: a falling rate says the city's requests have moved away from the model."""
    from datetime import timedelta

    from django.utils.timezone import localtime

    from hotline.core import clock
    from hotline.tickets.models import Ticket
    from hotline.tickets.states import Status

    versions = list(
        ModelVersion.objects.filter(kind=ModelVersion.Kind.TOPIC).order_by("-number")[:20]
    )
    model = active_topic_model()
    rows: dict = {}
    if model is not None:
        tickets = (
            Ticket.objects.visible_to(user)
            .filter(
                status__in=[Status.CLOSED, Status.COMPLETED],
                topic__isnull=False,
                received_at__gte=clock.now() - timedelta(weeks=weeks),
            )
            .select_related("topic__parent__parent")
            .only("summary", "detail", "received_at", "topic")
            .order_by("-received_at")[:limit]
        )
        for t in tickets:
            day = localtime(t.received_at).date()
            week = day - timedelta(days=day.weekday())
            top = [label for label, _ in model.top(f"{t.summary}{t.detail}", 3)]
            truth = level1_name(t.topic)
            row = rows.setdefault(week, {"week": week, "n": 0, "top1": 0, "top3": 0})
            row["n"] += 1
            row["top1"] += bool(top) and top[0] == truth
            row["top3"] += truth in top
    weekly = [
        {**r, "top1_rate": r["top1"] / r["n"], "top3_rate": r["top3"] / r["n"]}
        for r in sorted(rows.values(), key=lambda r: r["week"])
    ]
    return {"weekly": weekly, "versions": versions, "served": model is not None}
