"""Chinese text for the models: jieba words, stop words, and the labelled CSVs.

The tokenised Teddy Cup annex was made with `jieba.cut(subject + detail)` (precise mode,
HMM on), stop words dropped, tokens joined by spaces. `tokenize` does exactly that, so a
model trained on the annex sees raw text the way it saw its training data. Pure: no ORM.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_jieba = None


def cutter():
    """jieba, imported and initialised once per process (about a second)."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def tokenize(text: str, stopwords: frozenset[str] = frozenset()) -> list[str]:
    """jieba precise-mode words of `text`, without blanks and stop words."""
    return [w for w in cutter().cut(text or "") if w.strip() and w not in stopwords]


def tokens_text(text: str, stopwords: frozenset[str] = frozenset()) -> str:
    return " ".join(tokenize(text, stopwords))


def read_stopwords(path: str | Path) -> frozenset[str]:
    """One stop word a line, as in `annex2_tokenised_stopwords.txt`."""
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def stopwords_beside(paths: Iterable[str | Path]) -> Path | None:
    """A `*stopwords*.txt` next to one of the CSVs, the file a tokenised CSV was made with."""
    for path in paths:
        found = sorted(Path(path).parent.glob("*stopwords*.txt"))
        if found:
            return found[0]
    return None


@dataclass(frozen=True)
class Example:
    """One labelled message. `tokens` is set for pre-tokenised rows, `text` for raw ones."""

    label: str
    text: str = ""
    tokens: str | None = None
    key: str = ""  # the message id (raw rows) or `train_id` (tokenised rows), if any


class CsvFormatError(ValueError):
    pass


def _open_text(path: str | Path) -> io.StringIO:
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return io.StringIO(raw.decode("utf-8-sig"))


def read_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """The rows of a UTF-8 CSV with a header row, gzip allowed."""
    yield from csv.DictReader(_open_text(path))


def read_examples(path: str | Path) -> list[Example]:
    """Labelled messages from a CSV with either `subject`/`detail` (raw text, like
    `train.csv`) or `tokens` (like `annex2_tokenised.csv.gz`), and a `label` column."""
    rows = read_rows(path)
    examples: list[Example] = []
    for row in rows:
        if "label" not in row:
            raise CsvFormatError(f"{path}: no 'label' column")
        label = (row["label"] or "").strip()
        if not label:
            continue
        if "tokens" in row:
            key = (row.get("train_id") or "").strip()
            examples.append(Example(label=label, tokens=row["tokens"] or "", key=key))
        elif "subject" in row or "detail" in row:
            text = (row.get("subject") or "") + (row.get("detail") or "")
            examples.append(Example(label=label, text=text, key=(row.get("id") or "").strip()))
        else:
            raise CsvFormatError(f"{path}: needs a 'tokens' column or 'subject'/'detail'")
    return examples
