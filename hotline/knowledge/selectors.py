"""Every read of the knowledge base: search at intake and on the pages, works notices,
guidance lines, stale entries and the use and upkeep figures (R-KB, R-HM-1, R-HM-2, R-AS-2).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hotline.core import clock
from hotline.directory.models import Topic, Unit
from hotline.knowledge import ranking
from hotline.knowledge.models import (
    Entry,
    EntryEvent,
    EntryUse,
    EntryVersion,
    ErrorReport,
    Kind,
    Status,
)
from hotline.knowledge.permissions import is_hotline

SNIPPET_CHARS = 120


def today() -> date:
    return timezone.localdate(clock.now())


# --- the search index: one per process, rebuilt when a publication changes --------------

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _fingerprint() -> tuple:
    live = Entry.objects.live()
    return tuple(
        live.aggregate(n=Count("id"), v=Max("published_version_id"), u=Max("updated_at")).values()
    )


def published_index() -> tuple[ranking.Index, dict[int, int]]:
    """The index over published versions and each version's entry id."""
    key = _fingerprint()
    with _lock:
        if _cache.get("key") == key:
            return _cache["index"], _cache["entries"]  # type: ignore[return-value]
    rows = EntryVersion.objects.filter(
        pk__in=Entry.objects.live().values("published_version_id")
    ).values_list("pk", "entry_id", "index_text", "effective", "expires", "topic_id")
    docs, entries = [], {}
    for pk, entry_id, text, effective, expires, topic_id in rows.iterator(chunk_size=2000):
        docs.append(ranking.Doc(pk, text, effective, expires, topic_id))
        entries[pk] = entry_id
    index = ranking.build(docs)
    with _lock:
        _cache.update(key=key, index=index, entries=entries)
    return index, entries


@dataclass
class Result:
    entry: Entry
    version: EntryVersion
    score: float
    title_html: SafeString
    snippet_html: SafeString
    unreleased: bool
    valid: bool
    guide: str = ""  # for a service guide: "call the unit's line" (R-HM-2)


def mark(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with the question's words in <mark>."""
    if not words:
        return escape(text)
    import re

    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, words: list[str]) -> str:
    """A window of the answer around its first matching word."""
    text = " ".join(text.split())
    first = min((i for i in (text.find(w) for w in words) if i >= 0), default=0)
    start = max(0, first - 30)
    piece = text[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def search(
    user,
    question: str,
    *,
    on: date | None = None,
    limit: int = 5,
    kinds: list[str] | None = None,
    owner: Unit | None = None,
    topic: Topic | None = None,
) -> list[Result]:
    """Published entries for the question, best first (R-HM-1). With `on` (intake: today)
    only entries valid that day; a policy not yet released is marked (ZS 34(二))."""
    if not ranking.is_meaningful(question):
        return []
    index, entries = published_index()
    topic_ids = _subtree(topic) if topic else []
    allowed = None
    if kinds or owner is not None:
        ok = set(
            EntryVersion.objects.filter(
                pk__in=entries.keys(),
                **({"entry__kind__in": kinds} if kinds else {}),
                **({"entry__owner": owner} if owner is not None else {}),
            ).values_list("pk", flat=True)
        )
        allowed = np.isin(index.keys, list(ok))
    hits = ranking.search(index, question, limit=limit, on=on, topic_ids=topic_ids, allowed=allowed)
    versions = EntryVersion.objects.select_related("entry__owner", "topic").in_bulk(
        [h.key for h in hits]
    )
    words = ranking.highlight_words(question)
    day = on or today()
    results = []
    for hit in hits:
        version = versions.get(hit.key)
        if version is None:
            continue
        results.append(
            Result(
                entry=version.entry,
                version=version,
                score=hit.score,
                title_html=mark(version.title, words),
                snippet_html=mark(snippet(version.answer, words), words),
                unreleased=version.unreleased_on(day),
                valid=version.valid_on(day),
            )
        )
    return results


def _subtree(topic: Topic) -> list[int]:
    ids, frontier = [topic.pk], [topic.pk]
    while frontier:
        frontier = list(Topic.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


# --- works notices at intake (ZS 35) ------------------------------------------------------


def region_words(unit: Unit) -> list[str]:
    """How callers name a street or town: 江滨街道办事处 → 江滨街道, 江滨."""
    name = unit.name
    for suffix in ("办事处", "人民政府", "管委会"):
        name = name.removesuffix(suffix)
    out = [name]
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            out.append(name.removesuffix(suffix))
    return out


def works_notices(*, place: str, region: Unit | None = None, at: datetime | None = None) -> list:
    """Planned works in force now (or starting today) where the caller is: by the
    region's unit or by place words in what the caller said."""
    at = at or clock.now()
    day_end = timezone.localtime(at).replace(hour=23, minute=59, second=59)
    versions = EntryVersion.objects.filter(
        pk__in=Entry.objects.live().filter(kind=Kind.WORKS).values("published_version_id"),
        works_end__gte=at,
        works_start__lte=day_end,
    ).select_related("entry__owner", "works_region")
    place = place or ""
    found = []
    for version in versions:
        by_region = region is not None and version.works_region_id in (region.pk, region.parent_id)
        words = version.place_words()
        if version.works_region is not None:
            words += region_words(version.works_region)
        if by_region or any(w and w in place for w in words):
            found.append(version)
    return sorted(found, key=lambda v: v.works_start)


# --- guidance: the unit's own line (R-HM-2) ---------------------------------------------


@dataclass(frozen=True)
class Guidance:
    unit: Unit
    public_phone: str
    service_hours: str
    version: EntryVersion | None


def guidance_for(unit: Unit, on: date | None = None) -> Guidance:
    """The public line and hours from the unit's newest valid service guide, else from the
    directory."""
    on = on or today()
    version = (
        EntryVersion.objects.filter(
            pk__in=Entry.objects.live()
            .filter(kind=Kind.SERVICE, owner=unit)
            .values("published_version_id"),
            effective__lte=on,
        )
        .filter(Q(expires__isnull=True) | Q(expires__gte=on))
        .order_by("-effective", "-pk")
        .first()
    )
    if version is not None:
        return Guidance(
            unit, version.public_phone, version.service_hours or unit.service_hours, version
        )
    return Guidance(unit, unit.public_phone, unit.service_hours, None)


def guidance_text(g: Guidance) -> str:
    hours = f"，服务时间：{g.service_hours}" if g.service_hours else ""
    return f"请直接联系{g.unit.name}，电话 {g.public_phone}{hours}。"


# --- lists -----------------------------------------------------------------------------


def entries(user, *, status: str = "", kind: str = "", owner: Unit | None = None):
    qs = Entry.objects.visible_to(user).select_related(
        "owner", "latest_version", "published_version", "latest_version__topic"
    )
    qs = qs.filter(status=status) if status else qs.exclude(status=Status.WITHDRAWN)
    if kind:
        qs = qs.filter(kind=kind)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs


def awaiting_review(user):
    return entries(user, status=Status.SUBMITTED).order_by("updated_at")


def stale(user, on: date | None = None):
    """Published entries past their review date (R-KB: kept current)."""
    on = on or today()
    return entries(user).live().filter(published_version__review_by__lt=on)


def open_corrections(user):
    qs = ErrorReport.objects.filter(corrected_at__isnull=True).select_related(
        "entry__owner", "version"
    )
    if not is_hotline(user):
        qs = qs.filter(entry__in=Entry.objects.visible_to(user).filter(owner=user.unit_id))
    return qs.order_by("due_at")


def overdue_corrections(user):
    return open_corrections(user).filter(due_at__lt=clock.now())


def history(entry: Entry):
    return EntryEvent.objects.filter(entry=entry).select_related("actor").order_by("-at", "-id")


def use_of(ticket) -> EntryUse | None:
    return EntryUse.objects.filter(ticket=ticket).select_related("version", "entry").first()


# --- use and upkeep figures (R-AS-2) ------------------------------------------------------


def figures(*, since: date, until: date) -> dict:
    """Answered-at-once share per topic, entries used, error corrections on time, stale
    entries per unit, for the knowledge page and the assessment (R-AS-2)."""
    from hotline.tickets.models import IntakeOutcome, Ticket

    tz = timezone.get_current_timezone()
    start = datetime.combine(since, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    tickets = Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
    per_topic = (
        tickets.values("topic__name")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(intake_outcome=IntakeOutcome.ANSWER_NOW)),
            from_knowledge=Count("id", filter=Q(knowledge_use__isnull=False)),
        )
        .order_by("-total")
    )
    topics = [
        {
            "topic": row["topic__name"] or "",
            "tickets": row["total"],
            "answered_now": row["answered"],
            "answered_from_knowledge": row["from_knowledge"],
            "answered_now_rate": round(row["answered"] / row["total"], 4) if row["total"] else 0,
        }
        for row in per_topic
    ]
    used = (
        EntryUse.objects.filter(used_at__gte=start, used_at__lt=end)
        .values("entry_id", "entry__owner__name")
        .annotate(uses=Count("id"))
        .order_by("-uses")
    )
    titles = dict(
        Entry.objects.filter(pk__in=[u["entry_id"] for u in used]).values_list(
            "pk", "latest_version__title"
        )
    )
    reports = ErrorReport.objects.filter(due_at__gte=start, due_at__lt=end)
    now = clock.now()
    per_unit: dict[str, dict] = {}
    for r in reports.select_related("entry__owner"):
        row = per_unit.setdefault(r.entry.owner.code, _unit_row(r.entry.owner))
        row["errors_reported"] += 1
        if r.corrected_at is not None and r.corrected_at <= r.due_at:
            row["corrected_on_time"] += 1
        elif r.corrected_at is not None:
            row["corrected_late"] += 1
        elif r.due_at < now:
            row["overdue"] += 1
    for unit_id, n in (
        Entry.objects.live()
        .filter(published_version__review_by__lt=today())
        .values_list("owner_id")
        .annotate(n=Count("id"))
    ):
        unit = Unit.objects.get(pk=unit_id)
        per_unit.setdefault(unit.code, _unit_row(unit))["stale_entries"] = n
    for unit_id, n in Entry.objects.live().values_list("owner_id").annotate(n=Count("id")):
        unit = Unit.objects.get(pk=unit_id)
        per_unit.setdefault(unit.code, _unit_row(unit))["published_entries"] = n
    total = sum(t["tickets"] for t in topics)
    answered = sum(t["answered_now"] for t in topics)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "answered_now_rate": round(answered / total, 4) if total else 0,
        "topics": topics,
        "entries_used": [
            {
                "entry_id": u["entry_id"],
                "title": titles.get(u["entry_id"], ""),
                "owner": u["entry__owner__name"],
                "uses": u["uses"],
            }
            for u in used[:50]
        ],
        "units": sorted(per_unit.values(), key=lambda r: r["code"]),
    }


def _unit_row(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "published_entries": 0,
        "stale_entries": 0,
        "errors_reported": 0,
        "corrected_on_time": 0,
        "corrected_late": 0,
        "overdue": 0,
    }
