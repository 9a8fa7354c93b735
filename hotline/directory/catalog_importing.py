"""Reading and validating the dispatch catalog (派单目录, R-HM-9) from Excel (.xlsx) or CSV.

Pure: takes the file's cells, the units and the topic codes, returns clean rows or every
error found, with its row number. The service decides whether to write.

One row is one version of one matter: a code and the day it takes effect. Rows are
matched to stored versions by (编码, 生效日期); a row for a stored code with a new date
adds a version, and the service closes the version before it the day before.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from hotline.directory import tables
from hotline.directory.models import UnitKind, split_keywords
from hotline.directory.tables import CODE_RE, Column, RowError

COLUMNS: tuple[Column, ...] = (
    Column("code", "编码", required=True, max_length=32),
    Column("matter", "事项名称", required=True, max_length=200),
    Column("keywords", "关键词", max_length=1000),
    Column("topic_code", "诉求分类编码", max_length=32),
    Column("legal_basis", "法律依据", max_length=4000),
    Column("unit_code", "承办单位编码", required=True, max_length=32),
    Column("deadline_days", "办理时限", required=True, max_length=16),
    Column("internal_office", "内设机构", max_length=100),
    Column("effective_from", "生效日期", required=True, max_length=32),
    Column("effective_to", "失效日期", max_length=32),
)
HEADER = {c.field: c.header for c in COLUMNS}
MAX_DEADLINE_DAYS = 365
# "5", "5个工作日", "5工作日": working days. Natural days ("5天") are not accepted.
DEADLINE_RE = re.compile(r"^(-?\d+)\s*(?:个)?\s*(?:工作日)?$")


@dataclass
class CatalogRow:
    row: int
    code: str
    matter: str
    keywords: str
    topic_code: str
    legal_basis: str
    unit_code: str
    deadline_days: int
    internal_office: str
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    kind: str
    active: bool


def parse_rows(table: list[list[str]]) -> tuple[list[CatalogRow], list[RowError]]:
    """Map the header to fields and check each row on its own."""
    return tables.parse_table(table, COLUMNS, _clean_row)


def _clean_row(index: int, raw: Mapping[str, str]) -> tuple[CatalogRow | None, list[RowError]]:
    values, errors = tables.check_text(index, raw, COLUMNS)

    def fail(field_name: str, message: str) -> None:
        errors.append(RowError(index, HEADER[field_name], message))

    for field_name in ("code", "unit_code", "topic_code"):
        text = values.get(field_name, "")
        if text and not CODE_RE.match(text):
            fail(field_name, _("Use letters, digits, '-', '_' or '.' only."))
    deadline = 0
    if values.get("deadline_days"):
        match = DEADLINE_RE.match(values["deadline_days"])
        deadline = int(match.group(1)) if match else 0
        if match is None or not 0 < deadline <= MAX_DEADLINE_DAYS:
            fail(
                "deadline_days",
                _("Write a whole number of working days from 1 to %(max)s.")
                % {"max": MAX_DEADLINE_DAYS},
            )
    dates: dict[str, date | None] = {}
    for field_name in ("effective_from", "effective_to"):
        text = values.get(field_name, "")
        dates[field_name] = tables.parse_date(text) if text else None
        if text and dates[field_name] is None:
            fail(field_name, _("Write a date as 2025-01-01."))
    start, end = dates["effective_from"], dates["effective_to"]
    if start and end and end < start:
        fail("effective_to", _("The end date is before the start date."))
    if errors or start is None:
        return None, errors
    return (
        CatalogRow(
            row=index,
            code=values["code"],
            matter=values["matter"],
            keywords="、".join(split_keywords(values.get("keywords", ""))),
            topic_code=values.get("topic_code", ""),
            legal_basis=values.get("legal_basis", ""),
            unit_code=values["unit_code"],
            deadline_days=deadline,
            internal_office=values.get("internal_office", ""),
            effective_from=start,
            effective_to=end,
        ),
        [],
    )


def topic_code_in(code: str, topic_codes: Collection[str]) -> str | None:
    """The stored topic code a file means: as written, or with the leading zero that
    Excel drops from a number (10101 -> 010101)."""
    if code in topic_codes:
        return code
    if code.isdigit() and len(code) % 2 == 1 and "0" + code in topic_codes:
        return "0" + code
    return None


def check_rows(
    rows: list[CatalogRow], *, units: Mapping[str, UnitInfo], topic_codes: Collection[str]
) -> list[RowError]:
    """Checks across rows and against the directory. Rewrites a topic code Excel
    shortened to the stored one."""
    errors: list[RowError] = []
    first_row: dict[tuple[str, date], int] = {}
    for row in rows:

        def fail(field_name: str, message: str, row: CatalogRow = row) -> None:
            errors.append(RowError(row.row, HEADER[field_name], message))

        key = (row.code, row.effective_from)
        if key in first_row:
            fail(
                "effective_from",
                _("Code %(code)s with this start date already appears in row %(first)s.")
                % {"code": row.code, "first": first_row[key]},
            )
        else:
            first_row[key] = row.row
        unit = units.get(row.unit_code)
        if unit is None:
            fail("unit_code", _("No unit has the code %(code)s.") % {"code": row.unit_code})
        elif unit.kind == UnitKind.COMMUNITY:
            fail(
                "unit_code",
                _(
                    "%(name)s is a residents' or villagers' committee: it may assist but is "
                    "never the handling unit (ZS 6)."
                )
                % {"name": unit.name},
            )
        elif not unit.active:
            fail("unit_code", _("%(name)s is inactive.") % {"name": unit.name})
        elif unit.kind == UnitKind.TOWN and not row.internal_office:
            fail(
                "internal_office",
                _("For a town or street, name the suggested internal office (R-HM-9)."),
            )
        if row.topic_code:
            stored = topic_code_in(row.topic_code, topic_codes)
            if stored is None:
                fail(
                    "topic_code",
                    _("No topic has the code %(code)s.") % {"code": row.topic_code},
                )
            else:
                row.topic_code = stored
    return errors


def template_csv() -> bytes:
    """The header and two example rows: a department's matter and a street's matter."""
    return tables.template_csv(
        [c.header for c in COLUMNS],
        [
            "PD-001",
            "物业服务纠纷",
            "物业、物业费、电梯、小区公共设施",
            "010101",
            "《物业管理条例》",
            "QX-ZJJ",
            "10",
            "",
            "2025-01-01",
            "",
        ],
        [
            "PD-101",
            "辖区老旧小区环境卫生",
            "老旧小区、楼道杂物",
            "",
            "《城市市容和环境卫生管理条例》",
            "QX-CD",
            "5",
            "城市管理办公室",
            "2025-01-01",
            "",
        ],
    )
