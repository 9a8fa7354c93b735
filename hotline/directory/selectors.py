"""Every read of the directory that a page or the API needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from hotline.core import clock
from hotline.core.fixed_reads import FixedRead, Slot
from hotline.directory.models import (
    CatalogItem,
    CatalogItemQuerySet,
    Topic,
    Unit,
    normalize_text,
)


@dataclass
class UnitNode:
    unit: Unit
    children: list[UnitNode] = field(default_factory=list)
    matched: bool = True


def unit_tree(*, query: str = "", include_inactive: bool = True) -> list[UnitNode]:
    """The whole tree from one query. With `query`, only matching units and their ancestors."""
    units = list(Unit.objects.all() if include_inactive else Unit.objects.active())
    nodes = {u.pk: UnitNode(u) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    if not query:
        return roots
    needle = query.strip().lower()

    def keep(node: UnitNode) -> bool:
        node.matched = _matches(node.unit, needle)
        node.children = [child for child in node.children if keep(child)]
        return node.matched or bool(node.children)

    return [root for root in roots if keep(root)]


def _matches(unit: Unit, needle: str) -> bool:
    haystack = " ".join(
        [unit.code, unit.name, unit.liaison_name, unit.head_name, unit.deputy_head_name]
    ).lower()
    return needle in haystack


def unit_search(*, query: str, limit: int = 20) -> list[Unit]:
    """Active units whose name, code or contacts contain `query` (for operators guiding callers)."""
    query = query.strip()
    if not query:
        return []
    return list(
        Unit.objects.active()
        .filter(
            Q(name__icontains=query) | Q(code__icontains=query) | Q(liaison_name__icontains=query)
        )
        .select_related("parent")[:limit]
    )


def unit_get(*, code: str) -> Unit | None:
    return Unit.objects.select_related("parent").filter(code=code).first()


_UNIT_BY_CODE = FixedRead(Unit, lambda code: Unit.objects.filter(code=code), code=Slot.STR)


def unit_by_code(code: str) -> Unit | None:
    """The unit with this code (unique), active or not: the API's and the forms' lookup
    of a code, run with SQL compiled once (hotline.core.fixed_reads)."""
    return _UNIT_BY_CODE.first(code=code)


def unit_ancestors(unit: Unit) -> list[Unit]:
    chain: list[Unit] = []
    current = unit.parent
    while current is not None and len(chain) < 20:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def unit_kind_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in Unit.objects.active().values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def today() -> date:
    """The local date (Asia/Shanghai) of `clock.now()`: the default day for the catalog."""
    return timezone.localdate(clock.now())


# --- topics (诉求分类, R-IN-3) ------------------------------------------------------------


@dataclass
class TopicNode:
    topic: Topic
    children: list[TopicNode] = field(default_factory=list)
    matched: bool = True


def topic_tree(*, query: str = "", include_inactive: bool = True) -> list[TopicNode]:
    """The whole tree from one query. With `query`, only matching topics (by code, name
    or description) and their ancestors; the children of a match are kept too."""
    topics = list(Topic.objects.all() if include_inactive else Topic.objects.active())
    nodes = {t.pk: TopicNode(t) for t in topics}
    roots: list[TopicNode] = []
    for node in nodes.values():
        parent = nodes.get(node.topic.parent_id) if node.topic.parent_id else None
        (parent.children if parent else roots).append(node)
    needle = normalize_text(query.strip())
    if not needle:
        return roots

    def mark(node: TopicNode) -> None:
        topic = node.topic
        node.matched = needle in normalize_text(f"{topic.code} {topic.name} {topic.description}")
        for child in node.children:
            mark(child)

    def keep(node: TopicNode) -> bool:
        if node.matched:
            return True  # a matching class shows what it holds
        node.children = [child for child in node.children if keep(child)]
        return bool(node.children)

    for root in roots:
        mark(root)
    return [root for root in roots if keep(root)]


def topic_count() -> int:
    return Topic.objects.count()


def topic_get(*, code: str) -> Topic | None:
    return Topic.objects.with_path().filter(code=code).first()


# --- the dispatch catalog (派单目录, R-HM-9) -----------------------------------------------


def _catalog() -> CatalogItemQuerySet:
    return CatalogItem.objects.select_related("unit", "topic__parent__parent")


def catalog_in_force(*, on: date) -> QuerySet[CatalogItem]:
    """The active versions in force on the day `on`, one per code at most."""
    return _catalog().in_force(on).order_by("code")


def catalog_search(
    *, query: str = "", unit_code: str = "", on: date | None = None
) -> QuerySet[CatalogItem]:
    """The catalog page's list: the versions in force on `on` (every version when None),
    filtered by text (code, matter, keywords, legal basis, office, topic) and unit."""
    items = catalog_in_force(on=on) if on else _catalog().order_by("code", "-effective_from")
    query = query.strip()
    if query:
        items = items.filter(
            Q(code__icontains=query)
            | Q(matter__icontains=query)
            | Q(keywords__icontains=query)
            | Q(legal_basis__icontains=query)
            | Q(internal_office__icontains=query)
            | Q(topic__name__icontains=query)
        )
    if unit_code:
        items = items.filter(unit__code=unit_code)
    return items


def catalog_units() -> list[Unit]:
    """The units that handle at least one catalog item (for the catalog's unit filter)."""
    return list(
        Unit.objects.filter(catalog_items__isnull=False).distinct().order_by("sort_order", "code")
    )


def catalog_versions(*, code: str) -> list[CatalogItem]:
    """Every version of one catalog code, newest first."""
    return list(_catalog().filter(code=code).order_by("-effective_from"))


@dataclass(frozen=True)
class Suggestion:
    item: CatalogItem
    matched: tuple[str, ...]  # the item's keywords found in the text, as the item writes them
    score: int


def catalog_suggest(
    *, text: str, on: date, limit: int = 5, items: list[CatalogItem] | None = None
) -> list[Suggestion]:
    """Catalog items in force on `on` whose keywords occur in `text`, best first (R-HM-9).

    Deterministic and explainable: a keyword counts once if it occurs in the text
    (full-width/half-width and case ignored); the score is the sum of the matched
    keywords' lengths in characters, so longer, more specific keywords weigh more.
    Ties go to the item with more matched keywords, then to the lower code. A list page
    passes `items` (the catalog in force, read once) so each row costs no query.
    """
    needle = normalize_text(text)
    if not needle.strip():
        return []
    found: list[Suggestion] = []
    for item in items if items is not None else catalog_in_force(on=on):
        matched = tuple(k for k in item.keyword_list if normalize_text(k) in needle)
        if matched:
            score = sum(len(normalize_text(k)) for k in matched)
            found.append(Suggestion(item=item, matched=matched, score=score))
    found.sort(key=lambda s: (-s.score, -len(s.matched), s.item.code))
    return found[:limit]


PLACE_SUFFIXES = ("街道办事处", "办事处", "人民政府", "管委会")


def unit_for_place(address: str) -> Unit | None:
    """The town, street or district whose name the address names ("江滨街道…" → 江滨街道
    办事处), the longest name first; None when it names none. Used to keep local units
    of other places out of the suggestions (R-HM-9)."""
    from hotline.directory.models import UnitKind

    address = (address or "").strip()
    if not address:
        return None
    best: tuple[int, Unit] | None = None
    for unit in Unit.objects.active().filter(kind__in=[UnitKind.TOWN, UnitKind.DISTRICT]):
        name = unit.name
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        short = name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        for candidate in (name, short if len(short) >= 2 else ""):
            if candidate and candidate in address and (best is None or len(candidate) > best[0]):
                best = (len(candidate), unit)
    return best[1] if best else None


def subtree(model: type[Model], root_id: int) -> list[int]:
    """The ids of `root_id` and every row below it in a tree kept by `parent_id`."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in model._default_manager.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = [], [root_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def unit_and_descendants(unit_id: int) -> list[int]:
    """The unit and every unit below it (a unit sees its sub-units' work, R-HM-11)."""
    return subtree(Unit, unit_id)
