"""Reading and validating a unit list from Excel (.xlsx) or CSV.

Pure: takes bytes and the units already in the database, returns clean rows or every
error found, with its row number. The service decides whether to write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from hotline.directory import tables
from hotline.directory.models import ALLOWED_PARENT_KINDS, UnitKind
from hotline.directory.tables import (  # re-exported: the shared reading helpers
    CODE_RE,
    MAX_ROWS,
    Column,
    FileUnreadable,
    RowError,
    read_table,
)

__all__ = [
    "CODE_RE",
    "COLUMNS",
    "MAX_ROWS",
    "Column",
    "ExistingUnit",
    "FileUnreadable",
    "RowError",
    "UnitRow",
    "check_tree",
    "parents_first",
    "parse_rows",
    "read_table",
    "template_csv",
]

COLUMNS: tuple[Column, ...] = (
    Column("code", "编码", required=True, max_length=32),
    Column("name", "名称", required=True, max_length=100),
    Column("kind", "类型", required=True),
    Column("parent_code", "上级编码", max_length=32),
    Column("active", "启用"),
    Column("sort_order", "排序"),
    Column("service_hours", "服务时间", max_length=100),
    Column("public_phone", "对外电话"),
    Column("liaison_name", "联络员", max_length=50),
    Column("liaison_phone", "联络员电话"),
    Column("deputy_head_name", "分管负责人", max_length=50),
    Column("deputy_head_phone", "分管负责人电话"),
    Column("head_name", "主要负责人", max_length=50),
    Column("head_phone", "主要负责人电话"),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}

# Kind names as written in files: the Chinese term or the code value.
KIND_NAMES: dict[str, str] = {
    "人民政府": UnitKind.GOVERNMENT,
    "政府": UnitKind.GOVERNMENT,
    "热线中心": UnitKind.CENTER,
    "市直部门": UnitKind.DEPARTMENT,
    "部门": UnitKind.DEPARTMENT,
    "区县": UnitKind.DISTRICT,
    "开发区": UnitKind.DISTRICT,
    "镇街": UnitKind.TOWN,
    "镇": UnitKind.TOWN,
    "街道": UnitKind.TOWN,
    "村居": UnitKind.COMMUNITY,
    "社区": UnitKind.COMMUNITY,
    "村": UnitKind.COMMUNITY,
    "下属机构": UnitKind.OFFICE,
    "公用事业": UnitKind.UTILITY,
} | {k.value: k.value for k in UnitKind}
KIND_HEADER_NAME: dict[str, str] = {
    UnitKind.GOVERNMENT: "人民政府",
    UnitKind.CENTER: "热线中心",
    UnitKind.DEPARTMENT: "市直部门",
    UnitKind.DISTRICT: "区县",
    UnitKind.TOWN: "镇街",
    UnitKind.COMMUNITY: "村居",
    UnitKind.OFFICE: "下属机构",
    UnitKind.UTILITY: "公用事业",
}
TRUE_WORDS = {"是", "启用", "1", "true", "yes", "y", "t"}
FALSE_WORDS = {"否", "停用", "0", "false", "no", "n", "f"}
PHONE_RE = re.compile(r"^[0-9+\-() ,，、/转]*$")  # the characters a phone cell may hold
# Each number of a phone cell: a mobile (13800000000, +86 allowed), a landline with or
# without its area code and extension (0570-1234567, 0570-1234567转801, 1234567), or a
# short public service number (110, 12345, 96119).
PHONE_NUMBER_RE = re.compile(
    r"^(?:(?:\+?86[- ]?)?1[3-9]\d{9}"
    r"|(?:\(?0\d{2,3}\)?[- ]?)?\d{7,8}(?:(?:转|-)\d{1,6})?"
    r"|1\d{2}|1\d{4}|9\d{4,5})$"
)
PHONE_SEPARATORS = re.compile(r"[,，、/]")


def phone_problem(text: str) -> str:
    """ "" when every number of a phone cell is a phone number, else the error."""
    if not PHONE_RE.match(text):
        return _("A phone number may hold digits, spaces, '-', '+', '()' and commas.")
    for number in PHONE_SEPARATORS.split(text):
        number = number.strip()
        if number and not PHONE_NUMBER_RE.match(number):
            return _(
                "%(number)s is not a phone number: write a mobile (11 digits), a landline "
                "(0570-1234567) or a service number (12345)."
            ) % {"number": number}
    return ""


@dataclass
class UnitRow:
    row: int
    values: dict[str, object] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return str(self.values["code"])

    @property
    def parent_code(self) -> str:
        return str(self.values.get("parent_code") or "")


@dataclass(frozen=True)
class ExistingUnit:
    code: str
    kind: str
    parent_code: str


def parse_rows(table: list[list[str]]) -> tuple[list[UnitRow], list[RowError]]:
    """Map the header to fields and check each row on its own."""
    return tables.parse_table(table, COLUMNS, _clean_row)


def _clean_row(index: int, raw: Mapping[str, str]) -> tuple[UnitRow | None, list[RowError]]:
    text_values, errors = tables.check_text(index, raw, COLUMNS)
    values: dict[str, object] = dict(text_values)

    def fail(field_name: str, message: str) -> None:
        errors.append(RowError(index, COLUMN_BY_FIELD[field_name].header, message))

    code = str(values.get("code", ""))
    if code and not CODE_RE.match(code):
        fail("code", _("Use letters, digits, '-', '_' or '.' only."))
    parent_code = str(values.get("parent_code", ""))
    if parent_code and not CODE_RE.match(parent_code):
        fail("parent_code", _("Use letters, digits, '-', '_' or '.' only."))
    kind_text = str(values.get("kind", ""))
    if kind_text:
        kind = KIND_NAMES.get(kind_text)
        if kind is None:
            fail(
                "kind",
                _("Unknown kind %(kind)s; use one of: %(choices)s.")
                % {"kind": kind_text, "choices": "、".join(KIND_HEADER_NAME.values())},
            )
        values["kind"] = kind
    active_text = str(values.get("active", "")).lower()
    if active_text in TRUE_WORDS or active_text == "":
        values["active"] = True
    elif active_text in FALSE_WORDS:
        values["active"] = False
    else:
        fail("active", _("Write 是 or 否."))
    order_text = str(values.get("sort_order", ""))
    try:
        values["sort_order"] = int(order_text) if order_text else 0
        if int(values["sort_order"]) < 0:  # type: ignore[call-overload]
            raise ValueError
    except ValueError:
        fail("sort_order", _("Must be a whole number of 0 or more."))
    for phone_field in ("public_phone", "liaison_phone", "deputy_head_phone", "head_phone"):
        problem = phone_problem(str(values.get(phone_field, "")))
        if problem:
            fail(phone_field, problem)
    if errors:
        return None, errors
    return UnitRow(row=index, values=values), []


def file_codes(table: list[list[str]]) -> set[str]:
    """Every unit code the file names, its rejected rows' too."""
    split = tables.split_table(table)
    if split is None:
        return set()
    header, body = split
    fields, errors = tables.map_header(header, COLUMNS)
    if errors:
        return set()
    codes = {tables.row_values(cells, fields).get("code", "").strip() for _i, cells in body}
    return codes - {""}


def check_tree(
    rows: list[UnitRow], existing: Iterable[ExistingUnit], *, pending: Iterable[str] = ()
) -> list[RowError]:
    """Checks across rows: duplicate codes, parents that exist, allowed kinds, no cycles.
    `pending`: codes of the file's rows rejected by their own checks; a parent among
    them is neither missing nor of a known kind, so nothing more is said about it (the
    row's own errors are listed in the same pass, issue 15 item 17)."""
    pending = set(pending)
    errors: list[RowError] = []
    parent_header = COLUMN_BY_FIELD["parent_code"].header
    code_header = COLUMN_BY_FIELD["code"].header
    kind_of = {u.code: u.kind for u in existing}
    parent_of = {u.code: u.parent_code for u in existing}
    first_row: dict[str, int] = {}
    for row in rows:
        if row.code in first_row:
            errors.append(
                RowError(
                    row.row,
                    code_header,
                    _("Code %(code)s already appears in row %(first)s.")
                    % {"code": row.code, "first": first_row[row.code]},
                )
            )
            continue
        first_row[row.code] = row.row
        kind_of[row.code] = str(row.values["kind"])
        parent_of[row.code] = row.parent_code
    for row in rows:
        parent = row.parent_code
        kind = str(row.values["kind"])
        if parent == row.code:
            errors.append(RowError(row.row, parent_header, _("A unit cannot be its own parent.")))
            continue
        if parent in pending and parent not in kind_of:
            continue
        if parent and parent not in kind_of:
            errors.append(
                RowError(
                    row.row,
                    parent_header,
                    _("Parent unit %(code)s is neither in the file nor in the directory.")
                    % {"code": parent},
                )
            )
            continue
        parent_kind = kind_of.get(parent) if parent else None
        if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
            errors.append(
                RowError(
                    row.row,
                    parent_header,
                    _("A unit of kind %(kind)s cannot sit under %(parent)s.")
                    % {
                        "kind": KIND_HEADER_NAME[kind],
                        "parent": KIND_HEADER_NAME.get(parent_kind or "", _("the top level")),
                    },
                )
            )
    if errors:
        return errors
    for row in rows:
        seen = {row.code}
        current = parent_of.get(row.code, "")
        while current:
            if current in seen:
                errors.append(
                    RowError(
                        row.row,
                        parent_header,
                        _("The parent chain loops back to %(code)s.") % {"code": current},
                    )
                )
                break
            seen.add(current)
            current = parent_of.get(current, "")
    return errors


def parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    """Order rows so a parent in the file is written before its children."""
    by_code = {r.code: r for r in rows}
    ordered: list[UnitRow] = []
    done: set[str] = set()

    def visit(row: UnitRow) -> None:
        if row.code in done:
            return
        parent = by_code.get(row.parent_code)
        if parent is not None:
            visit(parent)
        done.add(row.code)
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


def template_csv() -> bytes:
    """An import template: the header and one example row, UTF-8 with BOM for Excel."""
    return tables.template_csv(
        [c.header for c in COLUMNS],
        [
            "ZJJ",
            "市住房和城乡建设局",
            "市直部门",
            "GOV",
            "是",
            "10",
            "工作日 8:30-17:30",
            "0570-1234567",
            "张三",
            "13800000000",
            "李四",
            "13900000000",
            "王五",
            "13700000000",
        ],
    )
