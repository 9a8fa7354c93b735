"""Every write of the intelligence app: training, storing and (de)activating models.

Models are trained from labelled CSVs (`train.csv` columns or a `tokens` column) or from
the city's own finished tickets, labelled with their topic's level-1 name (R-IN-3).
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from hotline.intelligence.classifier import TopicClassifier, TrainingError, evaluate, sha256
from hotline.intelligence.models import ModelVersion
from hotline.intelligence.selectors import active_topic_model, level1_name
from hotline.intelligence.text import Example

# Punctuation and blanks only: ticket-trained models need no file from outside the product.
BUILT_IN_STOPWORDS = frozenset("，。、；：？！“”‘’（）《》【】…—·,.;:?!\"'()[]<>-~/\\|")


def models_dir() -> Path:
    path = Path(settings.DATA_DIR) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def topic_model_save(
    *, model: TopicClassifier, source: str, metrics: dict, by=None, activate: bool = True
) -> ModelVersion:
    """Write the model file, then its row: the newest active row is what gets served."""
    data = model.to_bytes()
    digest = sha256(data)
    with transaction.atomic():
        last = (
            ModelVersion.objects.select_for_update()
            .filter(kind=ModelVersion.Kind.TOPIC)
            .aggregate(n=Max("number"))["n"]
        )
        number = (last or 0) + 1
        path = models_dir() / f"topic-v{number}-{digest[:12]}.pkl"
        _write_atomically(path, data)
        return ModelVersion.objects.create(
            kind=ModelVersion.Kind.TOPIC,
            number=number,
            file=path.name,
            sha256=digest,
            size=len(data),
            source=source[:500],
            metrics={**metrics, "model_bytes": len(data)},
            labels=model.labels,
            active=activate,
            trained_by=by,
        )


def _split(examples: Sequence[Example], fraction: float, seed: int):
    """A stratified hold-out: `fraction` of each label's examples, at least one."""
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for e in examples:
        by_label.setdefault(e.label, []).append(e)
    train: list[Example] = []
    test: list[Example] = []
    for group in by_label.values():
        group = group[:]
        rng.shuffle(group)
        n = max(1, round(len(group) * fraction)) if len(group) > 3 else 0
        test.extend(group[:n])
        train.extend(group[n:])
    return train, test


def topic_model_train(
    *,
    examples: Sequence[Example],
    source: str,
    stopwords: frozenset[str] = BUILT_IN_STOPWORDS,
    test: Sequence[Example] = (),
    holdout: float = 0.0,
    by=None,
    activate: bool = True,
    seed: int = 0,
) -> ModelVersion:
    """Train, measure and store a topic model.

    Metrics come from `test` when given; otherwise, with `holdout` > 0, from that share of
    the examples held back (the stored model is then retrained on all of them).
    """
    metrics: dict = {}
    if not test and holdout > 0:
        train_part, test = _split(examples, holdout, seed)
        if test:
            trial = TopicClassifier.fit(train_part, stopwords=stopwords, seed=seed)
            metrics = {**evaluate(trial, test), "holdout": holdout}
            test = ()
    model = TopicClassifier.fit(examples, stopwords=stopwords, seed=seed)
    if test:
        metrics = evaluate(model, test)
    metrics |= {
        "train_seconds": round(model.train_seconds, 2),
        "n_train": model.n_train,
        "dropped_labels": model.dropped,
    }
    return topic_model_save(model=model, source=source, metrics=metrics, by=by, activate=activate)


def ticket_examples() -> list[Example]:
    """Finished tickets with a topic, labelled with its level-1 name (their final topic)."""
    from hotline.tickets.models import Ticket
    from hotline.tickets.states import Status

    tickets = (
        Ticket.objects.filter(
            status__in=[Status.CLOSED, Status.COMPLETED],
            topic__isnull=False,
            merged_into__isnull=True,
        )
        .select_related("topic__parent__parent")
        .only("id", "summary", "detail", "topic")
    )
    return [
        Example(label=level1_name(t.topic), text=f"{t.summary}{t.detail}", key=str(t.id))
        for t in tickets.iterator(chunk_size=2000)
    ]


def topic_model_train_from_tickets(*, by=None, holdout: float = 0.2) -> ModelVersion:
    examples = ticket_examples()
    if not examples:
        raise TrainingError("no finished ticket has a topic yet")
    return topic_model_train(examples=examples, source="tickets", holdout=holdout, by=by, seed=0)


def model_activate(*, version: ModelVersion, active: bool = True) -> ModelVersion:
    """Turn a version on or off; the newest active one is served (roll back = deactivate)."""
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(pk=version.pk)
        version.active = active
        version.save(update_fields=["active"])
    return version


def topic_model_retrain(*, by=None, holdout: float = 0.2, seed: int = 0) -> dict:
    """Learn from the city (R-IN-3): train on the closed tickets' final topics, compare
    with the served model on the same held-back slice and keep the served one when the
    new model scores worse (macro-F1). Returns what happened, for the tick and the page.
    An operator's choice of topic at intake is the ticket's topic, so a correction of a
    suggestion is a label like any other."""
    examples = ticket_examples()
    if len({e.label for e in examples}) < 2:
        return {"trained": 0, "reason": "too few labelled tickets"}
    train_part, test = _split(examples, holdout, seed)
    if not test:
        return {"trained": 0, "reason": "too few labelled tickets"}
    try:
        trial = TopicClassifier.fit(train_part, stopwords=BUILT_IN_STOPWORDS, seed=seed)
    except TrainingError as exc:  # e.g. fewer than two topics with enough tickets
        return {"trained": 0, "reason": str(exc)}
    new = evaluate(trial, test)
    served = active_topic_model()
    if served is not None:
        old = evaluate(served, test)
        if old["macro_f1"] > new["macro_f1"]:
            return {"trained": 0, "kept": 1, "new_f1": new["macro_f1"], "old_f1": old["macro_f1"]}
    model = TopicClassifier.fit(examples, stopwords=BUILT_IN_STOPWORDS, seed=seed)
    metrics = {
        **new,
        "holdout": holdout,
        "train_seconds": round(model.train_seconds, 2),
        "n_train": model.n_train,
        "dropped_labels": model.dropped,
    }
    version = topic_model_save(model=model, source="tickets", metrics=metrics, by=by)
    return {"trained": 1, "version": version.number, "new_f1": new["macro_f1"]}


RETRAIN_EVERY_DAYS = 7


def topic_model_retrain_due() -> dict:
    """The tick's job: retrain once the served model is `RETRAIN_EVERY_DAYS` old (or when
    none is served and tickets have topics)."""
    from datetime import timedelta

    from hotline.core import clock

    last = (
        ModelVersion.objects.filter(kind=ModelVersion.Kind.TOPIC, active=True)
        .order_by("-number")
        .values_list("trained_at", flat=True)
        .first()
    )
    if last is not None and clock.now() - last < timedelta(days=RETRAIN_EVERY_DAYS):
        return {"trained": 0}
    return topic_model_retrain()
