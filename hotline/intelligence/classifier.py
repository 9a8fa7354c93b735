"""The topic classifier (R-IN-3): message text → level-1 topic with calibrated
probabilities. Pure: no ORM, no settings; `services` stores it, `selectors` serves it.

Features are TF-IDF over jieba words (unigrams and bigrams) and over character 1–3-grams
of the same words, so a word jieba splits differently still shares its characters. The
model is one linear SVM with balanced class weights (the goal is macro-F1) whose scores
are turned into probabilities by sigmoid calibration fitted on 3-fold cross-validated
scores (`ensemble=False`: one SVM at inference, not three). Everything inference needs,
the stop words included, is inside the pickled object.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from hotline.intelligence.text import Example, tokens_text

FORMAT = 1
MIN_PER_LABEL = 3


class TrainingError(ValueError):
    """The examples cannot make a model; the message is for the operator."""


def _space_split(doc: str) -> list[str]:
    return doc.split()


def build_pipeline(n_docs: int, *, seed: int = 0):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    min_df = 2 if n_docs >= 1000 else 1
    features = make_union(
        TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, min_df=min_df),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=min_df),
    )
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=seed)
    return make_pipeline(
        features, CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)
    )


@dataclass
class TopicClassifier:
    stopwords: frozenset[str]
    pipeline: object
    labels: list[str]
    dropped: dict[str, int] = field(default_factory=dict)  # labels with too few examples
    train_seconds: float = 0.0
    n_train: int = 0
    format: int = FORMAT

    def doc(self, text: str) -> str:
        """Raw text as the model sees it: jieba words without stop words."""
        return tokens_text(text, self.stopwords)

    @staticmethod
    def docs_of(examples: Sequence[Example], stopwords: frozenset[str]) -> list[str]:
        return [
            e.tokens if e.tokens is not None else tokens_text(e.text, stopwords) for e in examples
        ]

    @classmethod
    def fit(
        cls, examples: Sequence[Example], *, stopwords: frozenset[str] = frozenset(), seed: int = 0
    ) -> TopicClassifier:
        counts = Counter(e.label for e in examples)
        dropped = {label: n for label, n in counts.items() if n < MIN_PER_LABEL}
        kept = [e for e in examples if e.label not in dropped]
        if len({e.label for e in kept}) < 2:
            raise TrainingError(
                f"need at least two topics with {MIN_PER_LABEL} or more messages each"
            )
        started = time.perf_counter()
        docs = cls.docs_of(kept, stopwords)
        pipeline = build_pipeline(len(docs), seed=seed)
        pipeline.fit(docs, [e.label for e in kept])
        labels = [str(label) for label in pipeline.classes_]
        return cls(
            stopwords=stopwords,
            pipeline=pipeline,
            labels=labels,
            dropped=dropped,
            train_seconds=time.perf_counter() - started,
            n_train=len(kept),
        )

    def predict_docs(self, docs: Sequence[str]) -> list[str]:
        return [str(label) for label in self.pipeline.predict(list(docs))]  # type: ignore[attr-defined]

    def _compile(self) -> None:
        """Pull the fitted numbers out of the pipeline for a one-message fast path that
        skips scikit-learn's per-call input checks (about 1 ms of the 2 ms budget)."""
        import numpy as np

        union, calibrated = (step for _, step in self.pipeline.steps)  # type: ignore[attr-defined]
        inner = calibrated.calibrated_classifiers_[0]
        svm = inner.estimator
        self._vectorizers = [v for _, v in union.transformer_list]
        self._coef = np.ascontiguousarray(svm.coef_.T)
        self._intercept = svm.intercept_
        self._a = np.array([c.a_ for c in inner.calibrators])
        self._b = np.array([c.b_ for c in inner.calibrators])

    def proba_doc(self, doc: str):
        """The probability row for one tokenised message, in `labels` order; the same
        numbers as the pipeline's `predict_proba` (sigmoid per class, then normalised)."""
        import numpy as np
        import scipy.sparse as sp

        if not hasattr(self, "_coef"):
            self._compile()
        x = sp.hstack([v.transform([doc]) for v in self._vectorizers], format="csr")
        scores = np.asarray(x @ self._coef).ravel() + self._intercept
        p = 1.0 / (1.0 + np.exp(self._a * scores + self._b))
        if len(self.labels) == 2:  # one score for the second label, as scikit-learn does
            return np.array([1.0 - p[0], p[0]])
        total = p.sum()
        return p / total if total > 0 else np.full(len(p), 1.0 / len(p))

    def probabilities(self, text: str) -> list[tuple[str, float]]:
        """Every label with its probability, most likely first."""
        doc = self.doc(text)
        if not doc:
            return []
        row = self.proba_doc(doc)
        ranked = sorted(zip(self.labels, row, strict=True), key=lambda p: -p[1])
        return [(label, float(p)) for label, p in ranked]

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.probabilities(text)[:k]

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(data: bytes) -> TopicClassifier:
        model = pickle.loads(data)  # only files this app wrote, checked by sha256 first
        if not isinstance(model, TopicClassifier) or model.format != FORMAT:
            raise TrainingError("not a topic model of this version")
        return model


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(truth), list(predicted), average="macro", zero_division=0))


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    if not truth:
        return 0.0
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)


def top_k_accuracy(
    model: TopicClassifier, docs: Sequence[str], truth: Sequence[str], k: int = 3
) -> float:
    """Share of messages whose true label is among the model's `k` most likely: what the
    intake picker's one-click choices hit (R-IN-3)."""
    import numpy as np

    if not docs:
        return 0.0
    proba = model.pipeline.predict_proba(list(docs))  # type: ignore[attr-defined]
    best = np.argsort(-proba, axis=1)[:, :k]
    labels = np.array(model.labels)
    return float(np.mean([t in labels[row] for t, row in zip(truth, best, strict=True)]))


def evaluate(
    model: TopicClassifier, examples: Sequence[Example], *, latency_sample: int = 200
) -> dict[str, float | int]:
    """Macro-F1 and accuracy on `examples`; latency from raw text, one message at a time
    (tokenised rows are timed on their tokens, which skips jieba: their time is lower)."""
    docs = TopicClassifier.docs_of(examples, model.stopwords)
    predicted = model.predict_docs(docs)
    truth = [e.label for e in examples]
    top3 = top_k_accuracy(model, docs, truth, 3)
    sample = list(examples[:latency_sample])
    if sample:  # warm up: first-call costs (compiling the fast path) are not per message
        model.top(sample[0].text or "测试", 3)
    started = time.perf_counter()
    for e in sample:
        if e.tokens is None:
            model.top(e.text, 3)
        else:
            model.proba_doc(e.tokens)
    elapsed = time.perf_counter() - started
    return {
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "accuracy": round(accuracy(truth, predicted), 4),
        "top3_accuracy": round(top3, 4),
        "ms_per_message": round(1000 * elapsed / max(1, len(sample)), 3),
        "n_test": len(examples),
    }
