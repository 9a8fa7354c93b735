"""Every read of the directory that a page or the API needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from hotline.directory.models import Unit


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
