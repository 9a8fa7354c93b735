"""Near-duplicate tickets (并单 merge, R-IN-4 repeats), fast enough to ask while the
operator types.

A ticket's text (summary + detail) is normalised (NFKC, case-folded, only letters, digits
and CJK kept) and cut into character bigrams. A MinHash of `BANDS × ROWS` hash functions
estimates the Jaccard similarity of two bigram sets; each band of `ROWS` values becomes
one 64-bit band key (locality-sensitive hashing). Two texts share at least one band key
with probability 1 - (1 - J^ROWS)^BANDS: about 0.74 at J = 0.5, 0.91 at 0.6, 0.99 at
0.75 and 0.03 at 0.15, so near-duplicates meet and unrelated texts rarely do.

`TicketSignature` keeps the band keys, one row per (ticket, band), with the ticket's day
and region copied in so one index range scan on (band_key, day) answers "which tickets
of the last 90 days share a band with this text". The candidates, best first by shared
bands, are then scored by their exact bigram Jaccard similarity.

Indexing is incremental and never blocks a write: `index_pending()` (a job of the
`hotline tick` loop, and called before each lookup with a small limit) indexes every
ticket above the highest ticket id indexed so far, and the tick job also heals the last
two days' tickets that a concurrent transaction committed out of id order. Nothing in
hotline.tickets.services needs to call it. Rows are unique per (ticket, band), so two
indexers at once write nothing twice.

The pure part (`normalize`, `shingles`, `minhash`, `band_keys`, `jaccard`) needs no ORM.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

BANDS = 10
ROWS = 3
WINDOW_DAYS = 90
MIN_SIMILARITY = 0.3  # bigram Jaccard below this is not shown as a possible duplicate
CANDIDATES = 50  # candidates re-scored per lookup
CATCH_UP = 200  # tickets indexed at most before a lookup (the tick job does the rest)

_KEEP_RE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MASK64 = (1 << 64) - 1


def _seeds(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(1, 2**63 - 1, size=n, dtype=np.uint64) | np.uint64(1)  # odd


# Fixed: stored band keys depend on them (changing them means re-indexing every ticket).
_A = _seeds(BANDS * ROWS, 20240601)
_B = _seeds(BANDS * ROWS, 20240602)
_MIX = _seeds(ROWS + 1, 20240603)
_EMPTY_KEY = 0  # a text without any letter: one row so the ticket counts as indexed


def normalize(text: str) -> str:
    """Full-width to half-width, case-folded, only letters, digits and CJK kept."""
    return _KEEP_RE.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def shingle_ids(text: str) -> np.ndarray:
    """The distinct character bigrams of the normalised text as integers (code point
    pairs). A one-character text is its own shingle; an empty one has none."""
    norm = normalize(text)
    if not norm:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) == 1:
        return points
    return np.unique((points[:-1] << np.uint64(21)) | points[1:])


def shingles(text: str) -> frozenset[int]:
    return frozenset(shingle_ids(text).tolist())


def jaccard(a: frozenset[int] | set[int], b: frozenset[int] | set[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def minhash(ids: np.ndarray) -> np.ndarray:
    """`BANDS × ROWS` minimum hash values (multiply-shift hashing, 32 bits each)."""
    with np.errstate(over="ignore"):
        hashed = (ids[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return hashed.min(axis=0)


def band_keys(text: str) -> list[int]:
    """One signed 64-bit key per band; [] for a text without letters or digits."""
    ids = shingle_ids(text)
    if len(ids) == 0:
        return []
    values = minhash(ids).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        mixed = np.arange(BANDS, dtype=np.uint64) * _MIX[ROWS]
        for row in range(ROWS):
            mixed ^= (values[:, row] + np.uint64(row + 1)) * _MIX[row]
            mixed = (mixed ^ (mixed >> np.uint64(29))) * _MIX[ROWS]
    keys = mixed.view(np.int64).tolist()
    return [k if k != _EMPTY_KEY else 1 for k in keys]


def ticket_text(summary: str, detail: str) -> str:
    return f"{summary or ''} {detail or ''}"


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 (UTC) of an aware datetime: the window column."""
    return int(moment.timestamp() // 86400)


# --- the index (ORM) ------------------------------------------------------------------------


def signature_rows(
    ticket_id: int, text: str, received_at: datetime, region_id: int | None
) -> list[tuple[int, int, int, int, int | None]]:
    """(ticket_id, band, band_key, day, region_id) rows of one ticket."""
    day = day_number(received_at)
    keys = band_keys(text)
    if not keys:
        return [(ticket_id, 0, _EMPTY_KEY, day, region_id)]
    return [(ticket_id, band, key, day, region_id) for band, key in enumerate(keys)]


def _store(rows: Iterable[tuple[int, int, int, int, int | None]]) -> int:
    from hotline.intelligence.models import TicketSignature

    objects = [
        TicketSignature(ticket_id=t, band=b, band_key=k, day=d, region_id=r)
        for t, b, k, d, r in rows
    ]
    TicketSignature.objects.bulk_create(objects, batch_size=2000, ignore_conflicts=True)
    return len(objects)


def index_tickets(tickets: Iterable) -> int:
    """Index tickets (objects or dicts with id, summary, detail, received_at, region_id).
    Returns how many tickets were indexed; indexing one twice writes nothing new."""
    rows: list[tuple[int, int, int, int, int | None]] = []
    count = 0
    for t in tickets:
        v: Any = t if isinstance(t, dict) else vars(t)
        text = ticket_text(v["summary"], v["detail"])
        rows.extend(signature_rows(v["id"], text, v["received_at"], v["region_id"]))
        count += 1
    _store(rows)
    return count


_FIELDS = ("id", "summary", "detail", "received_at", "region_id")


def index_pending(*, limit: int = 5000, heal_days: int = 2) -> dict:
    """Index tickets not indexed yet: first every ticket above the highest indexed id
    (up to `limit`), then, with `heal_days`, tickets received in the last days that have
    no signature (committed out of id order). The `hotline tick` job."""
    from django.db.models import Exists, Max, OuterRef

    from hotline.core import clock
    from hotline.intelligence.models import TicketSignature
    from hotline.tickets.models import Ticket

    last = TicketSignature.objects.aggregate(m=Max("ticket_id"))["m"] or 0
    new = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values(*_FIELDS)[:limit])
    indexed = index_tickets(new)
    healed = 0
    if heal_days and indexed < limit:
        since = clock.now() - timedelta(days=heal_days)
        missing = (
            Ticket.objects.filter(received_at__gte=since, pk__lte=last)
            .exclude(Exists(TicketSignature.objects.filter(ticket_id=OuterRef("pk"))))
            .values(*_FIELDS)[: limit - indexed]
        )
        healed = index_tickets(list(missing))
    return {"indexed": indexed, "healed": healed}


@dataclass(frozen=True)
class Similar:
    ticket: object  # hotline.tickets.models.Ticket
    similarity: float  # bigram Jaccard, 0..1


def candidates(
    keys: Sequence[int], *, since_day: int, regions: Sequence[int] | None, limit: int
) -> list[int]:
    """Ticket ids sharing band keys with the text, most shared bands first."""
    from django.db.models import Count

    from hotline.intelligence.models import TicketSignature

    if not keys:
        return []
    rows = TicketSignature.objects.filter(band_key__in=list(keys), day__gte=since_day)
    if regions is not None:
        rows = rows.filter(region_id__in=list(regions))
    found = (
        rows.values("ticket_id")
        .annotate(n=Count("id"))
        .order_by("-n", "-ticket_id")
        .values_list("ticket_id", flat=True)[:limit]
    )
    return list(found)


def find_similar(
    text: str,
    *,
    tickets,
    regions: Sequence[int] | None = None,
    days: int = WINDOW_DAYS,
    limit: int = 5,
    exclude: int | None = None,
    min_similarity: float = MIN_SIMILARITY,
    now: datetime | None = None,
) -> list[Similar]:
    """The tickets of queryset `tickets` whose text is nearly `text`, most similar first."""
    from hotline.core import clock

    query = shingles(text)
    keys = band_keys(text)
    if not query or not keys:
        return []
    since = (now or clock.now()) - timedelta(days=days)
    ids = candidates(keys, since_day=day_number(since), regions=regions, limit=CANDIDATES + 1)
    if exclude is not None:
        ids = [i for i in ids if i != exclude]
    if not ids:
        return []
    rows = tickets.filter(pk__in=ids, received_at__gte=since)
    scored = []
    for ticket in rows:
        similarity = jaccard(query, shingles(ticket_text(ticket.summary, ticket.detail)))
        if similarity >= min_similarity:
            scored.append(Similar(ticket=ticket, similarity=round(similarity, 3)))
    scored.sort(key=lambda s: (-s.similarity, -s.ticket.pk))  # type: ignore[attr-defined]
    return scored[:limit]
