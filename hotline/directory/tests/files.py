"""Small import files written by the tests: CSV (UTF-8 or GBK) and Excel."""

import csv
import io

from openpyxl import Workbook


def csv_bytes(header, rows, encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_as(fmt, header, rows):
    """(file name, content) for fmt "csv", "gbk" or "xlsx"."""
    if fmt == "xlsx":
        return "f.xlsx", xlsx_bytes(header, rows)
    return "f.csv", csv_bytes(header, rows, "gb18030" if fmt == "gbk" else "utf-8-sig")
