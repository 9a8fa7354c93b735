"""Reading a topic tree's file (诉求分类, R-IN-3): its layout told from the header, each row
checked. Pure, like `hotline.directory.topic_importing`, which describes the layouts and
resolves the codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from hotline.directory import tables
from hotline.directory.tables import CODE_RE, Column, RowError

LAYOUT_NAMES = "names"
LAYOUT_DB44 = "db44t2479"
MAX_NAME = 100
MAX_CHILDREN = 99

NAME_COLUMNS: tuple[Column, ...] = (
    Column("level1", "一级分类", required=True, max_length=MAX_NAME),
    Column("level2", "二级分类", max_length=MAX_NAME),
    Column("level3", "三级分类", max_length=MAX_NAME),
    Column("code", "编码", max_length=32),
    Column("description", "说明", max_length=2000),
)
DB44_COLUMNS: tuple[Column, ...] = (
    Column("level_1_code", "level_1_code", required=True, max_length=2),
    Column("level_1_name", "level_1_name", required=True, max_length=MAX_NAME),
    Column("level_2_code", "level_2_code", required=True, max_length=4),
    Column("level_2_name", "level_2_name", required=True, max_length=MAX_NAME),
    Column("level_3_code", "level_3_code", required=True, max_length=6),
    Column("level_3_name", "level_3_name", required=True, max_length=MAX_NAME),
    Column("remark", "remark", max_length=2000),
)
# Every column must be there, but the cells are checked here (a level-3 name may be empty).
DB44_CELLS = tuple(replace(c, required=False) for c in DB44_COLUMNS)
DB44_IGNORED = ("node_id", "source_pdf_page", "source_anomaly")
DB44_DIGITS = {1: 2, 2: 4, 3: 6}


@dataclass(frozen=True)
class PathRow:
    """One row: a topic named by its path from the top, with the codes the file gives
    ("" where it gives none)."""

    row: int
    names: tuple[str, ...]
    codes: tuple[str, ...]
    description: str | None  # None: the file says nothing, keep what is stored


@dataclass
class TopicFile:
    layout: str
    rows: list[PathRow]
    code_headers: tuple[str, str, str]  # where to report a code problem, per level


def read_topics(table: list[list[str]]) -> tuple[TopicFile | None, list[RowError]]:
    """Tell the layout from the header and check each row on its own."""
    split = tables.split_table(table)
    if split is None:
        return None, [RowError(0, "", _("The file is empty."))]
    header, body = split
    header = [cell.lower() if cell.isascii() else cell for cell in header]
    errors = tables.too_many_rows(body)
    if errors:
        return None, errors
    if "level_1_code" in header:
        return _read_db44(header, body)
    if {"level1", "一级分类"} & set(header):
        return _read_names(header, body)
    return None, [
        RowError(
            1,
            "",
            _(
                "Unknown layout. The header must be level1,level2,level3; the columns of "
                "DB44/T 2479 Appendix A (level_1_code, level_1_name, …); or 一级分类,二级分类,"
                "三级分类 with optional 编码 and 说明."
            ),
        )
    ]


def _read_names(
    header: list[str], body: list[tuple[int, list[str]]]
) -> tuple[TopicFile | None, list[RowError]]:
    fields, errors = tables.map_header(header, NAME_COLUMNS)
    if errors:
        return None, errors
    # Report problems under the headers the file uses (level1 or 一级分类).
    header_of = {f: h for f, h in zip(fields, header, strict=False) if f}
    has_description = "description" in fields
    rows: list[PathRow] = []
    for index, cells in body:
        values, row_errors = tables.check_text(
            index, tables.row_values(cells, fields), NAME_COLUMNS
        )
        if row_errors:
            errors.extend(
                RowError(e.row, _header(e.column, header_of, NAME_COLUMNS), e.message)
                for e in row_errors
            )
            continue
        names = [values.get("level1", ""), values.get("level2", ""), values.get("level3", "")]
        while names and not names[-1]:
            names.pop()
        missing = [depth for depth, name in enumerate(names, start=1) if not name]
        if missing:
            for depth in missing:
                errors.append(RowError(index, header_of.get(f"level{depth}", ""), _("Required.")))
            continue
        code = values.get("code", "")
        if code and not CODE_RE.match(code):
            errors.append(
                RowError(index, header_of["code"], _("Use letters, digits, '-', '_' or '.' only."))
            )
            continue
        rows.append(
            PathRow(
                row=index,
                names=tuple(names),
                codes=("",) * (len(names) - 1) + (code,),
                description=values.get("description", "") if has_description else None,
            )
        )
    code_header = header_of.get("code", NAME_COLUMNS[3].header)
    return TopicFile(LAYOUT_NAMES, rows, (code_header, code_header, code_header)), errors


def _header(column: str, header_of: dict[str, str], columns: Iterable[Column]) -> str:
    for c in columns:
        if c.header == column:
            return header_of.get(c.field, column)
    return column


def _read_db44(
    header: list[str], body: list[tuple[int, list[str]]]
) -> tuple[TopicFile | None, list[RowError]]:
    fields, errors = tables.map_header(header, DB44_COLUMNS, ignored=DB44_IGNORED)
    if errors:
        return None, errors
    has_remark = "remark" in fields
    rows: list[PathRow] = []
    first_row_of_code: dict[str, int] = {}
    for index, cells in body:
        raw = tables.row_values(cells, fields)
        for level, digits in DB44_DIGITS.items():
            code = raw.get(f"level_{level}_code", "")
            if code.isdigit() and len(code) < digits:  # Excel drops leading zeros
                raw[f"level_{level}_code"] = code.zfill(digits)
        values, row_errors = tables.check_text(index, raw, DB44_CELLS)
        errors.extend(row_errors)
        if row_errors:
            continue

        def fail(column: str, message: str, index: int = index) -> None:
            errors.append(RowError(index, column, message))

        names = [values["level_1_name"], values["level_2_name"], values["level_3_name"]]
        codes = [values["level_1_code"], values["level_2_code"], values["level_3_code"]]
        for level in (1, 2):
            if not names[level - 1]:
                fail(f"level_{level}_name", _("Required."))
            if not codes[level - 1]:
                fail(f"level_{level}_code", _("Required."))
        if not all(names[:2]) or not all(codes[:2]):
            continue
        if not names[2] and codes[2] in ("", codes[1] + "00"):
            # A level-2 class the standard does not subdivide (see the module docstring).
            names.pop()
            codes.pop()
        elif not names[2]:
            fail("level_3_name", _("Required."))
            continue
        elif not codes[2]:
            fail("level_3_code", _("Required."))
            continue
        ok = True
        for level, code in enumerate(codes, start=1):
            column = f"level_{level}_code"
            if level == 3 and code in first_row_of_code:
                fail(
                    column,
                    _("Code %(code)s already appears in row %(first)s.")
                    % {"code": code, "first": first_row_of_code[code]},
                )
                ok = False
                break
            elif not code.isdigit() or len(code) != DB44_DIGITS[level]:
                fail(
                    column,
                    _("A level-%(level)s code has %(n)s digits.")
                    % {"level": level, "n": DB44_DIGITS[level]},
                )
                ok = False
                break
            elif level > 1 and not code.startswith(codes[level - 2]):
                fail(
                    column,
                    _("Code %(code)s does not start with its parent's code %(parent)s.")
                    % {"code": code, "parent": codes[level - 2]},
                )
                ok = False
                break
        if not ok:
            continue
        if len(codes) == 3:
            first_row_of_code[codes[2]] = index
        rows.append(
            PathRow(
                row=index,
                names=tuple(names),
                codes=tuple(codes),
                description=values.get("remark", "") if has_remark else None,
            )
        )
    return TopicFile(LAYOUT_DB44, rows, ("level_1_code", "level_2_code", "level_3_code")), errors
