"""`hotline intelligence train|evaluate|hotspots|models`: the intelligence app's command line."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.intelligence import services
from hotline.intelligence.classifier import TopicClassifier, TrainingError, evaluate
from hotline.intelligence.text import (
    CsvFormatError,
    Example,
    read_examples,
    read_stopwords,
    stopwords_beside,
)


def _examples(paths: list[str]) -> list[Example]:
    examples: list[Example] = []
    for path in paths:
        if not Path(path).is_file():
            raise CommandError(f"no such file: {path}")
        try:
            examples.extend(read_examples(path))
        except (CsvFormatError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
    return examples


def _stopwords(option: str | None, paths: list[str]) -> frozenset[str]:
    """--stopwords, else a `*stopwords*.txt` beside a CSV (the list a tokenised CSV was
    made with), else punctuation only. Read now and stored inside the model."""
    path = Path(option) if option else stopwords_beside(paths)
    if path is None:
        return services.BUILT_IN_STOPWORDS
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    return read_stopwords(path) | services.BUILT_IN_STOPWORDS


class Command(BaseCommand):
    help = "Topic classifier training and evaluation, hotspots (R-IN-3, R-DA-3, R-DA-4)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train, store and activate a topic model")
        train.add_argument("--csv", action="append", default=[], help="labelled CSV (repeat)")
        train.add_argument("--tickets", action="store_true", help="train on finished tickets")
        train.add_argument("--test", help="CSV to measure the model on")
        train.add_argument("--stopwords", help="stop-word list (one a line)")
        train.add_argument("--inactive", action="store_true", help="store without serving")

        ev = sub.add_parser("evaluate", help="train in memory, measure on --test, print JSON")
        ev.add_argument("--train", action="append", required=True, help="labelled CSV (repeat)")
        ev.add_argument("--test", required=True)
        ev.add_argument("--stopwords")

        hot = sub.add_parser("hotspots", help="group messages into hotspots, print JSON")
        hot.add_argument("--csv", required=True, help="id, subject, detail, time[, likes, …]")
        hot.add_argument("--top", type=int, default=20)
        hot.add_argument("--window-days", type=float, default=30)
        hot.add_argument("--min-size", type=int, default=2)

        sub.add_parser(
            "retrain",
            help="retrain from closed tickets; keep the served model if the new one is worse",
        )
        sub.add_parser("models", help="list stored model versions")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except TrainingError as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, options):
        if options["tickets"]:
            version = services.topic_model_train_from_tickets()
        else:
            if not options["csv"]:
                raise CommandError("give --csv PATH (repeatable) or --tickets")
            stopwords = _stopwords(options["stopwords"], options["csv"])
            test = _examples([options["test"]]) if options["test"] else []
            version = services.topic_model_train(
                examples=_examples(options["csv"]),
                stopwords=stopwords,
                test=test,
                source=" ".join(str(Path(p).name) for p in options["csv"]),
                activate=not options["inactive"],
            )
        self.stdout.write(
            json.dumps(
                {"version": version.number, "file": version.file, **version.metrics},
                ensure_ascii=False,
            )
        )

    def _evaluate(self, options):
        stopwords = _stopwords(options["stopwords"], options["train"])
        train = _examples(options["train"])
        test = _examples([options["test"]])
        if not test:
            raise CommandError("the test CSV has no labelled rows")
        model = TopicClassifier.fit(train, stopwords=stopwords)
        started = time.perf_counter()
        result = evaluate(model, test)
        result |= {
            "train_seconds": round(model.train_seconds, 2),
            "model_bytes": len(model.to_bytes()),
            "n_train": model.n_train,
            "evaluate_seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _hotspots(self, options):
        from hotline.intelligence.hotspots import find_hotspots, read_messages

        try:
            messages = read_messages(options["csv"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"{options['csv']}: {exc}") from exc
        found = find_hotspots(
            messages,
            window_days=options["window_days"],
            min_size=options["min_size"],
            top=options["top"],
        )
        self.stdout.write(json.dumps([h.as_dict() for h in found], ensure_ascii=False, indent=1))

    def _retrain(self, options):
        self.stdout.write(json.dumps(services.topic_model_retrain(), ensure_ascii=False))

    def _models(self, options):
        from hotline.intelligence.models import ModelVersion

        for v in ModelVersion.objects.all():
            state = "active" if v.active else "inactive"
            self.stdout.write(f"{v.kind} v{v.number} {state} {v.file} {json.dumps(v.metrics)}")
