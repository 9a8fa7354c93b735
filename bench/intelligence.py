"""Benchmark of the topic classifier (R-IN-3) against two baselines from the same run.

Run from the repository root::

    .venv/bin/python bench/intelligence.py [--data ../shared/data/teddy2020] [--folds 5]

5-fold stratified cross-validation on `train.csv` (raw messages). Each fold's held-out
messages are scored by:
- majority class (of the fold's training labels);
- plain bag-of-words multinomial Naive Bayes on jieba words;
- the product's classifier (`hotline.intelligence.classifier.TopicClassifier`),
each trained (a) on the fold's training messages only and (b) on the tokenised annex plus
the fold's training messages. No leakage in (b): annex rows whose `train_id` is one of the
fold's held-out messages are removed, and so is every annex row whose token set has a
Jaccard similarity of 0.5 or more with a held-out message (the rule the data set's own
held-out split used for reposts). The settings are fixed in the product; nothing is
tuned to these folds. Latency is one raw message at a time (jieba included) on one core.

Beside the folds, an annex hold-out made the way the data set's own hidden held-out set
was made: 20 % of the tokenised annex (seed 7, fixed before any experiment), with every
remaining annex row that has a Jaccard similarity of 0.5 or more with a held-out row
removed from training. The product model is trained on the rest and scored on the held-out
rows (their tokens: no jieba). `train.csv` (the challenge's 495-row sample) is harder than
random annex messages: the same model scored 0.870 in the folds against 0.916 on the
annex hold-out (see bench/README.md for what was tried).
Goals: macro-F1 >= 0.94, < 5 ms/message, model < 50 MB, training < 5 min on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotline.intelligence.classifier import (
    TopicClassifier,
    accuracy,
    macro_f1,
    top_k_accuracy,
)
from hotline.intelligence.text import read_examples, read_stopwords, tokens_text

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddy2020"


class NaiveBayes:
    """The baseline: word counts of jieba tokens, multinomial NB (alpha 1)."""

    def __init__(self, stopwords):
        self.stopwords = stopwords

    def fit(self, examples):
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.naive_bayes import MultinomialNB
        from sklearn.pipeline import make_pipeline

        started = time.perf_counter()
        docs = TopicClassifier.docs_of(examples, self.stopwords)
        self.pipeline = make_pipeline(CountVectorizer(token_pattern=r"\S+"), MultinomialNB())
        self.pipeline.fit(docs, [e.label for e in examples])
        self.train_seconds = time.perf_counter() - started
        return self

    def predict_text(self, text):
        return self.pipeline.predict([tokens_text(text, self.stopwords)])[0]


def jaccard_filter(annex, held_out_docs, held_out_ids):
    held = [set(d.split()) for d in held_out_docs]
    kept = []
    for e in annex:
        if e.key and e.key in held_out_ids:
            continue
        words = set((e.tokens or "").split())
        if any(len(words & h) >= 0.5 * len(words | h) for h in held if words | h):
            continue
        kept.append(e)
    return kept


def annex_holdout(annex, seed: int = 7, share: float = 0.2):
    """Train/test rows of the tokenised annex: `share` held out, near-duplicates of a
    held-out row (token-set Jaccard >= 0.5) removed from training (sparse, a few seconds)."""
    import random

    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    order = list(range(len(annex)))
    random.Random(seed).shuffle(order)
    n_test = int(len(order) * share)
    test, rest = order[:n_test], order[n_test:]
    docs = [e.tokens or "" for e in annex]
    vectorizer = CountVectorizer(token_pattern=r"\S+", binary=True, dtype=np.float32).fit(docs)
    x_rest = vectorizer.transform([docs[i] for i in rest])
    x_test = vectorizer.transform([docs[i] for i in test])
    n_rest = np.asarray(x_rest.sum(1)).ravel()
    n_test_words = np.asarray(x_test.sum(1)).ravel()
    inter = (x_rest @ x_test.T).tocoo()
    union = n_rest[inter.row] + n_test_words[inter.col] - inter.data
    near = set(inter.row[inter.data >= 0.5 * union].tolist())
    train = [annex[i] for k, i in enumerate(rest) if k not in near]
    return train, [annex[i] for i in test]


def timed_predictions(predict, texts):
    predict(texts[0])  # warm-up
    started = time.perf_counter()
    out = [predict(t) for t in texts]
    return out, 1000 * (time.perf_counter() - started) / len(texts)


def run(data: Path, folds: int = 5, seed: int = 12345) -> dict:
    from sklearn.model_selection import StratifiedKFold

    stopwords = read_stopwords(data / "annex2_tokenised_stopwords.txt")
    train = read_examples(data / "train.csv")
    annex = read_examples(data / "annex2_tokenised.csv.gz")
    labels = [e.label for e in train]
    docs = TopicClassifier.docs_of(train, stopwords)
    results: dict[str, dict[str, list[float]]] = {}

    def record(name, truth, predicted, **extra):
        row = results.setdefault(name, {})
        row.setdefault("macro_f1", []).append(macro_f1(truth, predicted))
        row.setdefault("accuracy", []).append(accuracy(truth, predicted))
        for key, value in extra.items():
            row.setdefault(key, []).append(value)

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(docs, labels), 1):
        fold_train = [train[i] for i in train_idx]
        fold_test = [train[i] for i in test_idx]
        truth = [e.label for e in fold_test]
        texts = [e.text for e in fold_test]
        majority = Counter(e.label for e in fold_train).most_common(1)[0][0]
        record("majority", truth, [majority] * len(truth))
        annex_kept = jaccard_filter(annex, [docs[i] for i in test_idx], {e.key for e in fold_test})
        for regime, examples in (("train", fold_train), ("annex+train", annex_kept + fold_train)):
            nb = NaiveBayes(stopwords).fit(examples)
            predicted, ms = timed_predictions(nb.predict_text, texts)
            record(f"naive_bayes[{regime}]", truth, predicted, ms=ms, train_s=nb.train_seconds)
            model = TopicClassifier.fit(examples, stopwords=stopwords)
            predicted, ms = timed_predictions(lambda t, m=model: m.top(t, 1)[0][0], texts)
            record(
                f"model[{regime}]",
                truth,
                predicted,
                ms=ms,
                train_s=model.train_seconds,
                mb=len(model.to_bytes()) / 1e6,
            )
        print(
            f"fold {fold}: annex rows kept {len(annex_kept)}/{len(annex)}, "
            f"model[annex+train] macro-F1 {results['model[annex+train]']['macro_f1'][-1]:.4f}",
            flush=True,
        )
    summary = {
        name: {key: round(statistics.mean(values), 4) for key, values in row.items()}
        for name, row in results.items()
    }
    holdout_train, holdout_test = annex_holdout(annex)
    truth = [e.label for e in holdout_test]
    majority = Counter(e.label for e in holdout_train).most_common(1)[0][0]
    summary["majority[annex hold-out]"] = {
        "macro_f1": round(macro_f1(truth, [majority] * len(truth)), 4),
        "accuracy": round(accuracy(truth, [majority] * len(truth)), 4),
    }
    nb = NaiveBayes(stopwords).fit(holdout_train)
    predicted = list(nb.pipeline.predict([e.tokens for e in holdout_test]))
    summary["naive_bayes[annex hold-out]"] = {
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "accuracy": round(accuracy(truth, predicted), 4),
        "train_s": round(nb.train_seconds, 1),
    }
    model = TopicClassifier.fit(holdout_train, stopwords=stopwords)
    holdout_docs = [e.tokens or "" for e in holdout_test]
    predicted = model.predict_docs(holdout_docs)
    summary["model[annex hold-out]"] = {
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "accuracy": round(accuracy(truth, predicted), 4),
        "top3_accuracy": round(top_k_accuracy(model, holdout_docs, truth, 3), 4),
        "train_s": round(model.train_seconds, 1),
        "mb": round(len(model.to_bytes()) / 1e6, 1),
    }
    print(
        f"annex hold-out: train {len(holdout_train)}, test {len(holdout_test)} "
        f"(near-duplicates of test rows removed from training)",
        flush=True,
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12345)
    options = parser.parse_args()
    if not (options.data / "train.csv").is_file():
        sys.exit(f"no train.csv in {options.data}")
    summary = run(options.data, options.folds, options.seed)
    print(f"{'system':28} {'macro-F1':>9} {'accuracy':>9} {'ms/msg':>8} {'train s':>8} {'MB':>6}")
    for name, row in summary.items():
        print(
            f"{name:28} {row['macro_f1']:9.4f} {row['accuracy']:9.4f} "
            f"{row.get('ms', 0):8.2f} {row.get('train_s', 0):8.1f} {row.get('mb', 0):6.1f}"
        )
    for regime in ("annex+train", "annex hold-out"):
        best, nb = summary[f"model[{regime}]"], summary[f"naive_bayes[{regime}]"]
        print(
            f"ratio macro-F1 model/naive_bayes ({regime}): {best['macro_f1'] / nb['macro_f1']:.3f}"
            f"; model/goal 0.94: {best['macro_f1'] / 0.94:.3f}"
        )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
