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

from hotline.intelligence.classifier import TopicClassifier, TrainingError, sha256
from hotline.intelligence.models import ModelVersion

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
    except (OSError, TrainingError, Exception) as exc:  # keep serving the old model
        log.error("topic model %s not loaded: %s", path, exc)
        return None


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
    found = find_hotspots(messages, window_days=window_days, top=top)
    cache.set(key, found, 600)
    return found
