"""Reading a year's official holiday schedule as an administrator enters it (R-DL-1).

The State Council publishes each year's holidays and make-up working days (调休) in
a notice; chinesecalendar only knows the years up to its release. One line per run:

    开始日期,结束日期,类型,名称
    2027-01-01,2027-01-03,放假,元旦
    2027-02-07,,上班,春节

Pure: returns day marks or every error with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from hotline.sla.calendar import DayMark

OFF_WORDS = {"放假", "休息", "off", "holiday"}
ON_WORDS = {"上班", "调休上班", "work", "workday"}
HEADER_WORDS = {"开始日期", "start"}


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}"


def _date(text: str) -> date:
    return date.fromisoformat(text.strip().replace("/", "-"))


def parse_schedule(text: str, year: int) -> tuple[list[DayMark], list[LineError]]:
    marks: dict[date, DayMark] = {}
    errors: list[LineError] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#") or cells[0] in HEADER_WORDS:
            continue
        if len(cells) < 4:
            errors.append(LineError(number, "需要 4 列：开始日期,结束日期,类型,名称"))
            continue
        start_text, end_text, kind, name = cells[:4]
        try:
            start = _date(start_text)
            end = _date(end_text) if end_text else start
        except ValueError:
            errors.append(LineError(number, "日期格式应为 YYYY-MM-DD"))
            continue
        if end < start:
            errors.append(LineError(number, "结束日期早于开始日期"))
            continue
        if start.year != year or end.year != year:
            errors.append(LineError(number, f"日期不在 {year} 年内"))
            continue
        if (end - start).days > 31:
            errors.append(LineError(number, "一段假期不应超过 31 天"))
            continue
        if not name:
            errors.append(LineError(number, "缺少节日名称"))
            continue
        if kind in OFF_WORDS:
            workday, reason = False, f"{name}放假"
        elif kind in ON_WORDS:
            workday, reason = True, f"调休上班（{name}）"
        else:
            errors.append(LineError(number, f"类型「{kind}」应为「放假」或「上班」"))
            continue
        day = start
        while day <= end:
            if day in marks and marks[day].workday != workday:
                errors.append(LineError(number, f"{day} 同时被写成放假和上班"))
            marks[day] = DayMark(day=day, workday=workday, reason=reason, source="official")
            day += timedelta(days=1)
    if not marks and not errors:
        errors.append(LineError(0, "没有读到任何日期"))
    return sorted(marks.values(), key=lambda m: m.day), errors


def format_schedule(marks: list[DayMark]) -> str:
    """The inverse of parse_schedule, for showing and editing an entered year."""
    lines = ["开始日期,结束日期,类型,名称"]
    run: list[DayMark] = []

    def flush() -> None:
        if not run:
            return
        first, last = run[0], run[-1]
        kind = "上班" if first.workday else "放假"
        name = first.reason.removesuffix("放假")
        name = name.removeprefix("调休上班（").removesuffix("）")
        end = "" if first.day == last.day else last.day.isoformat()
        lines.append(f"{first.day.isoformat()},{end},{kind},{name}")
        run.clear()

    for mark in sorted(marks, key=lambda m: m.day):
        if run and (mark.reason != run[-1].reason or mark.day - run[-1].day != timedelta(days=1)):
            flush()
        run.append(mark)
    flush()
    return "\n".join(lines) + "\n"
