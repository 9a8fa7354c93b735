"""Dispatch suggestion (派单建议, R-HM-9): the units most likely to handle a new ticket.

Four pieces of evidence, each turned into shares over units that sum to 1, then added
with fixed weights (`WEIGHTS`):

- history: the `K` most similar finished tickets (cosine of character 1-2-gram TF-IDF
  of summary, detail and place). Each votes its similarity for the lead unit that finally
  replied; a unit that sent the ticket back (退回) loses half that vote, so after a
  send-back the unit that really handled the matter ranks above the one that returned it;
- catalog: `catalog_suggest` keyword scores of the dispatch catalog (派单目录);
- topic: how often each unit finally handled tickets of the same topic;
- place: how often each unit finally handled tickets of the same region.

Without history the catalog alone decides; without either the list is empty (the
dispatcher dispatches by statutory duty). The explanation (`why`) says which evidence
counted. `History` and `rank` are pure (no ORM); `history_cases` reads the city's
finished tickets.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from hotline.intelligence.duplicates import normalize

K = 15
RETURN_PENALTY = 0.5
WEIGHTS = {"history": 1.0, "catalog": 0.5, "topic": 0.5, "place": 0.3}
MAX_CASES = 20000


@dataclass(frozen=True)
class Case:
    """One finished ticket: its text and the lead unit that finally replied."""

    text: str
    unit_id: int
    returned: tuple[int, ...] = ()  # leads that sent it back before
    topic_id: int | None = None
    region_id: int | None = None


@dataclass
class Ranked:
    unit_id: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    similar: int = 0  # similar past tickets this unit finally handled


def _shares(scores: Mapping[int, float]) -> dict[int, float]:
    positive = {k: v for k, v in scores.items() if v > 0}
    total = sum(positive.values())
    return {k: v / total for k, v in positive.items()} if total else {}


class History:
    """A k-nearest-neighbour index over finished tickets."""

    def __init__(self, cases: Sequence[Case]):
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

        self.cases = list(cases)
        self._vectorizer = HashingVectorizer(
            analyzer="char",
            ngram_range=(1, 2),
            n_features=2**18,
            alternate_sign=False,
            norm=None,
            preprocessor=normalize,
        )
        self._tfidf = TfidfTransformer(sublinear_tf=True)
        self.matrix = None
        if self.cases:
            counts = self._vectorizer.transform([c.text for c in self.cases])
            self.matrix = self._tfidf.fit_transform(counts).tocsc()  # columns: fast slicing
        self.by_topic: dict[int, Counter] = defaultdict(Counter)
        self.by_region: dict[int, Counter] = defaultdict(Counter)
        self.overall: Counter = Counter()
        for c in self.cases:
            self.overall[c.unit_id] += 1
            if c.topic_id is not None:
                self.by_topic[c.topic_id][c.unit_id] += 1
            if c.region_id is not None:
                self.by_region[c.region_id][c.unit_id] += 1

    def __len__(self) -> int:
        return len(self.cases)

    def neighbours(self, text: str, k: int = K) -> list[tuple[Case, float]]:
        if self.matrix is None or not normalize(text):
            return []
        query = self._tfidf.transform(self._vectorizer.transform([text])).tocsr()
        if not query.nnz:
            return []
        # Only the query's features: a slice of columns times its weights.
        sims = np.asarray(self.matrix[:, query.indices] @ query.data).ravel()
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.cases[i], float(sims[i])) for i in top if sims[i] > 0]

    def votes(self, text: str, k: int = K) -> tuple[dict[int, float], Counter]:
        votes: dict[int, float] = defaultdict(float)
        handled: Counter = Counter()
        for case, sim in self.neighbours(text, k):
            votes[case.unit_id] += sim
            handled[case.unit_id] += 1
            for unit in case.returned:
                if unit != case.unit_id:
                    votes[unit] -= RETURN_PENALTY * sim
        return dict(votes), handled

    def most_frequent(self) -> int | None:
        return self.overall.most_common(1)[0][0] if self.overall else None


def rank(
    text: str,
    *,
    history: History | None,
    catalog: Mapping[int, float] | None = None,
    topic_id: int | None = None,
    region_id: int | None = None,
    allowed: Iterable[int] | None = None,
    weights: Mapping[str, float] = WEIGHTS,
    limit: int = 5,
) -> list[Ranked]:
    """Units best first. `catalog` maps unit id to its catalog keyword score; `allowed`
    keeps only these units (active, may lead)."""
    parts: dict[str, dict[int, float]] = {"catalog": _shares(catalog or {})}
    handled: Counter = Counter()
    if history is not None and len(history):
        votes, handled = history.votes(text)
        parts["history"] = _shares(votes)
        penalties = {u: v for u, v in votes.items() if v < 0}
        if topic_id is not None:
            parts["topic"] = _shares(history.by_topic.get(topic_id, {}))
        if region_id is not None:
            parts["place"] = _shares(history.by_region.get(region_id, {}))
    else:
        penalties = {}
    keep = set(allowed) if allowed is not None else None
    total: dict[int, Ranked] = {}
    for name, shares in parts.items():
        for unit, share in shares.items():
            if keep is not None and unit not in keep:
                continue
            r = total.setdefault(unit, Ranked(unit_id=unit, score=0.0))
            r.parts[name] = round(share, 3)
            r.score += weights.get(name, 0.0) * share
    for unit, penalty in penalties.items():  # sent back similar tickets: below the rest
        if unit in total:
            total[unit].score += weights["history"] * penalty / max(1.0, sum(handled.values()))
    for r in total.values():
        r.similar = handled.get(r.unit_id, 0)
        r.score = round(r.score, 4)
    ranked = sorted(total.values(), key=lambda r: (-r.score, r.unit_id))
    return [r for r in ranked if r.score > 0][:limit]


# --- the city's history (ORM) ---------------------------------------------------------------


def history_cases(*, limit: int = MAX_CASES) -> list[Case]:
    """The newest `limit` tickets whose lead replied, each labelled with that unit (the
    final handler) and the leads that sent it back before."""
    from hotline.tickets.models import Assignment, Ticket

    finals = (
        Assignment.objects.filter(
            role=Assignment.Role.LEAD,
            replied_at__isnull=False,
            state__in=[Assignment.State.REPLIED, Assignment.State.CLOSED],
        )
        .order_by("-id")
        .values_list("ticket_id", "unit_id")[:limit]
    )
    final: dict[int, int] = {}
    for ticket_id, unit_id in finals:
        final.setdefault(ticket_id, unit_id)
    ids = list(final)
    returned: dict[int, list[int]] = defaultdict(list)
    rows: list[tuple] = []
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        for ticket_id, unit_id in Assignment.objects.filter(
            ticket_id__in=chunk, role=Assignment.Role.LEAD, state=Assignment.State.RETURNED
        ).values_list("ticket_id", "unit_id"):
            returned[ticket_id].append(unit_id)
        rows.extend(
            Ticket.objects.filter(pk__in=chunk, merged_into__isnull=True).values_list(
                "id", "summary", "detail", "address", "topic_id", "region_id"
            )
        )
    return [
        Case(
            text=f"{summary} {detail} {address}",
            unit_id=final[pk],
            returned=tuple(returned.get(pk, ())),
            topic_id=topic_id,
            region_id=region_id,
        )
        for pk, summary, detail, address, topic_id, region_id in rows
    ]
