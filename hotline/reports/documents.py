"""Report documents (R-DA-2, KM 7(三), LX 四5/四6): the figures of a period, the draft
text they fill in, and the renderings: PDF (supervision's WeasyPrint code), .docx
(python-docx) and Excel (hotline.core.excel's safe writer, like every other export).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from hotline.core.dates import document_date
from hotline.directory.letterhead import document_issuer
from hotline.reports import indicators as ind
from hotline.reports import selectors
from hotline.reports.models import ReportDocument

NUMBER_WORDS = {
    "briefing": "简",
    "circular": "通",
    "monthly": "月",
    "mayor": "专",
    "digest": "摘",
}
TITLES = {
    "briefing": "12345热线工作简报",
    "circular": "12345热线办理情况通报",
    "monthly": "12345热线月度通报",
    "mayor": "12345热线市长专报",
    "digest": "12345热线摘报",
}


def _pct(pair: list[int]) -> str:
    return ind.Ratio(pair[0], pair[1]).display()


def figures(span: selectors.Span) -> dict[str, Any]:
    """Everything a report quotes, as plain data (stored with the draft)."""
    result = selectors.assessment(span)
    hotline = selectors.hotline_figures(span)
    rows = []
    for row in sorted(result["rows"], key=lambda r: (r["group"], r["rank"] or 9999)):
        rows.append(
            {
                "name": row["unit"].name,
                "group": selectors.RANK_GROUP_LABELS.get(row["group"], ""),
                "received": row["counts"]["received_lead"],
                "overdue": row["counts"]["overdue"],
                "rates": {k: [r.numerator, r.denominator] for k, r in row["rates"].items()},
                "total": row["score"]["total"],
                "rank": row["rank"],
            }
        )
    kinds = selectors.intake_series(span, "kind")
    return {
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "scheme": f"{result['version'].scheme.name} 第{result['version'].number}版",
        "hotline": hotline,
        "kinds": kinds,
        "units": rows,
    }


def draft_text(kind: str, span: selectors.Span, f: dict[str, Any]) -> tuple[str, str]:
    h = f["hotline"]
    title = f"{TITLES[kind]}（{span.start:%Y年%m月%d日}至{span.end:%Y年%m月%d日}）"
    kind_labels = dict(ind_kind_labels())
    lines = [
        f"{span.start:%Y年%m月%d日}至{span.end:%Y年%m月%d日}，12345热线共受理群众诉求"
        f"{h['intake']}件，其中直接办结{h['answered_now']}件，不予受理{h['declined']}件；"
        f"回访{h['visited']}件，满意及基本满意{h['pleased']}件，满意率"
        f"{_pct([h['pleased'], h['visited']])}。",
    ]
    if f["kinds"]:
        parts = "、".join(
            f"{kind_labels.get(k['key'], k['key'])}{k['count']}件" for k in f["kinds"]
        )
        lines.append(f"按诉求类型：{parts}。")
    ranked = [u for u in f["units"] if u["rank"] is not None]
    if ranked:
        lines.append(f"按{f['scheme']}考核，各单位得分及排名如下：")
        for u in ranked:
            r = u["rates"]
            lines.append(
                f"{u['group']}第{u['rank']}名 {u['name']}：得分{u['total']}，"
                f"按时办结率{_pct(r['on_time_rate'])}，响应率{_pct(r['response_rate'])}，"
                f"解决率{_pct(r['resolve_rate'])}，满意率{_pct(r['satisfy_rate'])}，"
                f"办理单位满意率{_pct(r.get('unit_satisfy_rate', [0, 0]))}，"
                f"超期{u['overdue']}件。"
            )
    late = [u for u in f["units"] if u["overdue"]]
    if late:
        lines.append(
            "存在超期办理的单位："
            + "、".join(f"{u['name']}（{u['overdue']}件）" for u in late)
            + "，请抓紧整改。"
        )
    return title, "\n\n".join(lines)


def ind_kind_labels() -> list[tuple[str, str]]:
    from hotline.sla.policies import KIND_LABELS

    return [(str(k), v) for k, v in KIND_LABELS.items()]


def document_html(doc: ReportDocument) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "reports/pdf/report.html",
            {
                "doc": doc,
                "paragraphs": doc.body.split("\n\n"),
                "f": doc.figures,
                "issuer": document_issuer(),
            },
        )


def document_pdf(doc: ReportDocument) -> bytes:
    from hotline.supervision.pdf import html_to_pdf

    return html_to_pdf(document_html(doc))


def document_docx(doc: ReportDocument) -> bytes:
    from docx import Document

    word = Document()
    word.add_paragraph(document_issuer())
    if doc.number:
        word.add_paragraph(doc.number)
    word.add_heading(doc.title, level=1)
    for paragraph in doc.body.split("\n\n"):
        word.add_paragraph(paragraph)
    units = doc.figures.get("units", [])
    if units:
        table = word.add_table(rows=1, cols=6)
        for cell, text in zip(
            table.rows[0].cells,
            ("单位", "类别", "得分", "排名", "按时办结率", "满意率"),
            strict=True,
        ):
            cell.text = text
        for u in units:
            cells = table.add_row().cells
            values = (
                u["name"],
                u["group"],
                _text(u["total"]),
                _text(u["rank"]),
                _pct(u["rates"]["on_time_rate"]),
                _pct(u["rates"]["satisfy_rate"]),
            )
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    word.add_paragraph(document_issuer())
    word.add_paragraph(document_date(doc.issued_at or doc.created_at))
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def document_xlsx(doc: ReportDocument) -> bytes:
    """Through the one safe writer (hotline.core.excel): every text a string, never a
    formula; numbers stay numbers."""
    from hotline.core.excel import SafeWorkbook

    book = SafeWorkbook()
    sheet = book.sheet("考核结果", widths=(30, 14))
    book.append(sheet, [document_issuer()])
    book.append(sheet, [doc.number or "草稿", doc.title], bold=True)
    rates = [r for r in ind.RATES if r.key != "sign_rate"]
    book.append(
        sheet,
        ["单位", "类别", "牵头受理", "超期", *(r.label for r in rates), "得分", "排名"],
        bold=True,
    )
    for u in doc.figures.get("units", []):
        r = u["rates"]
        book.append(
            sheet,
            [
                u["name"],
                u["group"],
                u["received"],
                u["overdue"],
                *(_pct(r[rate.key]) if rate.key in r else "—" for rate in rates),
                _text(u["total"]),
                _text(u["rank"]),
            ],
        )
    return book.to_bytes()
