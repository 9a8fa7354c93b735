"""Reading tables from Excel (.xlsx) or CSV: shared by every directory import.

Pure: takes bytes, returns cells as text, and maps a header row to field names. The
unit, topic and catalog importers (`importing`, `topic_importing`, `catalog_importing`)
build on these, so every import reads files and reports errors the same way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from django.utils.translation import gettext as _

CODE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
MAX_ROWS = 20000


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in the file: the header is row 1; 0 for the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row} if self.row else _("File")
        return (
            f"{where} {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header written in templates and files
    required: bool = False
    max_length: int = 64


class FileUnreadable(Exception):
    pass


def read_table(file_name: str, content: bytes) -> list[list[str]]:
    """The file's cells as text, first row the header. Raises FileUnreadable."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise FileUnreadable(_("Only .xlsx and .csv files can be imported."))


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileUnreadable(
            _("The Excel file cannot be read: %(error)s") % {"error": exc}
        ) from None
    sheet = workbook.worksheets[0]
    table = [
        ["" if cell is None else _cell_text(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return table


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()  # a date cell: 2025-01-01, not 2025-01-01 00:00:00
    return str(value).strip()


def _read_csv(content: bytes) -> list[list[str]]:
    # Excel in China saves CSV as GBK unless told otherwise; accept both.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise FileUnreadable(_("The CSV file is neither UTF-8 nor GBK."))
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise FileUnreadable(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None


def split_table(table: list[list[str]]) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The header (first non-empty row) and the non-empty rows after it, each with the
    row number the user sees in the file. None for a file without any content."""
    numbered = [(index, cells) for index, cells in enumerate(table, start=1) if any(cells)]
    if not numbered:
        return None
    (_first, header), *body = numbered
    return [cell.strip() for cell in header], body


def map_header(
    header: Sequence[str],
    columns: Sequence[Column],
    *,
    aliases: Mapping[str, str] | None = None,
    ignored: Iterable[str] = (),
) -> tuple[list[str | None], list[RowError]]:
    """The field of each header cell (None for an empty or ignored cell), or the errors:
    unknown columns and missing required columns. A column is known by its Chinese
    header, its field name or an alias."""
    known = {c.header: c.field for c in columns} | {c.field: c.field for c in columns}
    known |= dict(aliases or {})
    skip = set(ignored)
    errors: list[RowError] = []
    fields: list[str | None] = []
    for cell in header:
        name = cell.strip()
        if not name or name in skip:
            fields.append(None)
            continue
        field_name = known.get(name)
        if field_name is None:
            errors.append(RowError(1, name, _("Unknown column.")))
        fields.append(field_name)
    for column in columns:
        if column.required and column.field not in fields:
            errors.append(RowError(1, column.header, _("Required column is missing.")))
    return fields, errors


def too_many_rows(body: Sized) -> list[RowError]:
    if len(body) > MAX_ROWS:
        return [RowError(0, "", _("At most %(n)s rows per file.") % {"n": MAX_ROWS})]
    return []


def row_values(cells: Sequence[str], fields: Sequence[str | None]) -> dict[str, str]:
    """One row's cells by field name; missing trailing cells are empty."""
    return {f: (cells[i].strip() if i < len(cells) else "") for i, f in enumerate(fields) if f}


Row = TypeVar("Row")


def parse_table(
    table: list[list[str]],
    columns: Sequence[Column],
    clean_row: Callable[[int, Mapping[str, str]], tuple[Row | None, list[RowError]]],
) -> tuple[list[Row], list[RowError]]:
    """Map the header to fields, then check each row on its own with `clean_row`;
    every error of the file is returned together (the importers share this)."""
    split = split_table(table)
    if split is None:
        return [], [RowError(0, "", _("The file is empty."))]
    header, body = split
    fields, errors = map_header(header, columns)
    if errors:
        return [], errors
    errors = too_many_rows(body)
    if errors:
        return [], errors
    rows: list[Row] = []
    for index, cells in body:
        row, row_errors = clean_row(index, row_values(cells, fields))
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    return rows, errors


def check_text(
    index: int, raw: Mapping[str, str], columns: Iterable[Column]
) -> tuple[dict[str, str], list[RowError]]:
    """Required and length checks for plain text columns; the clean text by field."""
    values: dict[str, str] = {}
    errors: list[RowError] = []
    for column in columns:
        text = raw.get(column.field, "").strip()
        if column.required and not text:
            errors.append(RowError(index, column.header, _("Required.")))
            continue
        if len(text) > column.max_length:
            errors.append(
                RowError(
                    index,
                    column.header,
                    _("At most %(n)s characters.") % {"n": column.max_length},
                )
            )
            continue
        values[column.field] = text
    return values, errors


DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
)


def parse_date(text: str) -> date | None:
    """2025-01-01, 2025/1/1, 2025.1.1 or 2025年1月1日; None if not a date."""
    match = DATE_RE.match(text.strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def template_csv(header: Sequence[str], *rows: Sequence[str]) -> bytes:
    """An import template: the header and example rows, UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
