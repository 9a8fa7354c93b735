"""The one Excel writer every export uses (issue 14 item 5).

A caller's words may start with `=`, `+`, `-` or `@`: written as a plain cell they
would become a live formula in the reader's spreadsheet (`=HYPERLINK(…)`), so every
text cell is typed as a string; control characters that .xlsx cannot hold (and that
make openpyxl fail) are dropped. Numbers stay numbers. A write-only workbook keeps
memory flat however many rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_text(value: Any) -> str:
    """A cell's text without the characters .xlsx cannot hold."""
    return _ILLEGAL.sub("", str("" if value is None else value))


class SafeWorkbook:
    """`book = SafeWorkbook(); sheet = book.sheet("名称", widths=(16, 40))`,
    `book.append(sheet, [...], bold=True)`, then `book.to_bytes()`."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)

    def sheet(self, title: str, *, widths: Sequence[int] = ()) -> Any:
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(cell_text(title)[:31] or "Sheet")
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        return sheet

    def cells(self, sheet: Any, values: Iterable[Any], *, bold: bool = False, size=None) -> list:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        font = Font(bold=True, size=size) if bold or size else None
        out = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float):
                cell = WriteOnlyCell(sheet, value=cell_text(value))
                cell.data_type = "s"  # a string, even when it starts with '='
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if font is not None:
                cell.font = font
            out.append(cell)
        return out

    def append(self, sheet: Any, values: Iterable[Any], *, bold: bool = False, size=None) -> None:
        sheet.append(self.cells(sheet, values, bold=bold, size=size))

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def table_workbook(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Iterable[Any]]]]) -> bytes:
    """An .xlsx of plain tables, one sheet per (title, header, rows), header in bold."""
    book = SafeWorkbook()
    for title, header, rows in sheets:
        sheet = book.sheet(title)
        book.append(sheet, header, bold=True)
        for row in rows:
            book.append(sheet, row)
    return book.to_bytes()
