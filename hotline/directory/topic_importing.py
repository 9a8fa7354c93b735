"""Reading and validating a topic tree (诉求分类, R-IN-3) from Excel (.xlsx) or CSV.

Pure: takes the file's cells and the topics already stored, returns the topics to write
or every error found, with its row number. The service decides whether to write.

Three layouts, told apart by the header:

* **names** — `level1,level2,level3` (the Teddy Cup 2020 taxonomy), or a city's own
  sheet `一级分类,二级分类,三级分类` with optional `编码` and `说明`. A row names one
  topic by its path (a row may stop at level 1 or 2); the parents on the path are
  implied. `编码`, when given, is the code of the row's deepest topic.
* **DB44/T 2479-2024 Appendix A** — `level_1_code, level_1_name, level_2_code,
  level_2_name, level_3_code, level_3_name`, optional `remark` (kept as the deepest
  topic's description); `node_id`, `source_pdf_page`, `source_anomaly` are ignored.
  Codes have 2/4/6 digits and each starts with its parent's code. Two quirks of the
  printed standard are handled so:
  - a row with an empty level-3 name whose level-3 code is the level-2 code followed
    by `00` (13 rows in the 2024 appendix, e.g. `010600` 新闻出版) is a level-2 class
    the standard does not subdivide: it imports that level-2 topic only, and its
    remark becomes the level-2 description. Any other empty level-3 name is an error;
  - a level-3 code printed twice (`090499`, under 0904 and 0905) is an error on its
    second row. Nothing is imported until the file gives it its own code (e.g.
    `090599`); the importer does not invent codes the standard did not print.

Codes. A topic keeps its code for good, and its level with it; imports match by code
and update the name, parent, order and description. A topic whose file gives no code
(the names layouts) takes the code of the stored topic with the same parent and name,
or else the first free two-digit number under its parent's code, in order of first
appearance: on an empty tree `01`, `0101`, `010101`. Importing the same file twice
therefore changes nothing, and adding rows never renumbers the topics already there.
Topics missing from the file are left as they are, and so is `active`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hotline.directory import tables
from hotline.directory.tables import RowError
from hotline.directory.topic_reading import (
    LAYOUT_NAMES,
    MAX_CHILDREN,
    NAME_COLUMNS,
    TopicFile,
)


@dataclass(frozen=True)
class ExistingTopic:
    code: str
    name: str
    level: int
    parent_code: str


@dataclass(frozen=True)
class TopicSpec:
    """A topic to create or update."""

    code: str
    name: str
    level: int
    parent_code: str
    sort_order: int
    description: str | None
    row: int


@dataclass
class _Node:
    path: tuple[str, ...]
    first_row: int
    code: str = ""
    code_row: int = 0
    defined_row: int = 0
    description: str | None = None

    @property
    def level(self) -> int:
        return len(self.path)


def resolve_topics(
    parsed: TopicFile, existing: Iterable[ExistingTopic]
) -> tuple[list[TopicSpec], list[RowError]]:
    """Checks across rows and against the stored tree; every topic with its code."""
    stored = {t.code: t for t in existing}
    by_parent_name: dict[tuple[str, str], str] = {}
    for topic in sorted(stored.values(), key=lambda t: t.code):
        by_parent_name.setdefault((topic.parent_code, topic.name), topic.code)
    errors: list[RowError] = []
    nodes: dict[tuple[str, ...], _Node] = {}
    owner: dict[str, tuple[str, ...]] = {}  # code given in the file -> its topic's path

    for row in parsed.rows:
        reported = len(errors)
        for depth in range(1, len(row.names) + 1):
            path = row.names[:depth]
            node = nodes.get(path)
            if node is None:
                node = nodes[path] = _Node(path, first_row=row.row)
            code = row.codes[depth - 1]
            if not code:
                continue
            column = parsed.code_headers[depth - 1]
            if node.code and node.code != code:
                errors.append(
                    RowError(
                        row.row,
                        column,
                        _("%(path)s already has code %(code)s (row %(first)s).")
                        % {"path": " > ".join(path), "code": node.code, "first": node.code_row},
                    )
                )
            elif owner.get(code, path) != path:
                other = nodes[owner[code]]
                errors.append(
                    RowError(
                        row.row,
                        column,
                        _("Code %(code)s is already used for %(path)s in row %(first)s.")
                        % {"code": code, "path": " > ".join(other.path), "first": other.code_row},
                    )
                )
            elif not node.code:
                node.code, node.code_row = code, row.row
                owner[code] = path
        if len(errors) > reported:
            continue  # one problem per row is enough to fix it
        node = nodes[row.names]
        if node.defined_row and parsed.layout == LAYOUT_NAMES:
            errors.append(
                RowError(
                    row.row,
                    "",
                    _("%(path)s already appears in row %(first)s.")
                    % {"path": " > ".join(row.names), "first": node.defined_row},
                )
            )
        node.defined_row = node.defined_row or row.row
        if row.description is not None:
            node.description = row.description
    if errors:
        return [], errors

    # Codes for the topics the file gives none: the stored topic of the same path, or
    # the next free number under the parent. Parents first, in order of appearance.
    used = set(stored) | set(owner)
    ordered = sorted(nodes.values(), key=lambda n: (n.level, n.first_row))
    for node in ordered:
        if node.code:
            continue
        parent_code = nodes[node.path[:-1]].code if node.level > 1 else ""
        reuse = by_parent_name.get((parent_code, node.path[-1]))
        if reuse and reuse not in owner:
            node.code = reuse
        else:
            free = (f"{parent_code}{n:02d}" for n in range(1, MAX_CHILDREN + 1))
            node.code = next((c for c in free if c not in used), "")
            if not node.code:
                errors.append(
                    RowError(
                        node.first_row,
                        "",
                        _("No free code left under %(path)s: give codes in the 编码 column.")
                        % {"path": " > ".join(node.path[:-1]) or _("the top level")},
                    )
                )
                continue
        used.add(node.code)
        owner[node.code] = node.path

    specs: list[TopicSpec] = []
    for node in ordered:
        if not node.code:
            continue
        before = stored.get(node.code)
        if before is not None and before.level != node.level:
            errors.append(
                RowError(
                    node.code_row or node.first_row,
                    parsed.code_headers[node.level - 1] if node.code_row else "",
                    _(
                        "Code %(code)s is already the level-%(level)s topic %(name)s; a code "
                        "keeps its level."
                    )
                    % {"code": node.code, "level": before.level, "name": before.name},
                )
            )
            continue
        specs.append(
            TopicSpec(
                code=node.code,
                name=node.path[-1],
                level=node.level,
                parent_code=nodes[node.path[:-1]].code if node.level > 1 else "",
                sort_order=node.first_row,
                description=node.description,
                row=node.first_row,
            )
        )
    return ([], errors) if errors else (specs, [])


def template_csv() -> bytes:
    """The city layout: a level-1 row, a level-2 row and a level-3 row, with codes."""
    return tables.template_csv(
        [c.header for c in NAME_COLUMNS],
        ["城乡建设", "", "", "01", ""],
        ["城乡建设", "住房", "", "0101", ""],
        ["城乡建设", "住房", "物业管理", "010101", "物业服务、物业收费、业主委员会"],
    )
