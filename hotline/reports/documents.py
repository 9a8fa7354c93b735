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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

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
    "briefing": gettext_lazy("12345 hotline work briefing"),
    "circular": gettext_lazy("12345 hotline circular on handling"),
    "monthly": gettext_lazy("12345 hotline monthly circular"),
    "mayor": gettext_lazy("12345 hotline special report to the mayor"),
    "digest": gettext_lazy("12345 hotline digest"),
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
                "group": selectors.rank_group_label(row["group"]),
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
        "scheme": _("%(scheme)s version %(number)s")
        % {"scheme": result["version"].scheme.name, "number": result["version"].number},
        "hotline": hotline,
        "kinds": kinds,
        "units": rows,
    }


def draft_text(kind: str, span: selectors.Span, f: dict[str, Any]) -> tuple[str, str]:
    """The draft's title and body, written in the site language (decision 0025)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _draft_text(kind, span, f)


def _draft_text(kind: str, span: selectors.Span, f: dict[str, Any]) -> tuple[str, str]:
    h = f["hotline"]
    day = pgettext("a report's period, strftime", "%Y-%m-%d")
    period = _("%(start)s to %(end)s") % {
        "start": span.start.strftime(day),
        "end": span.end.strftime(day),
    }
    title = _("%(title)s (%(period)s)") % {"title": TITLES[kind], "period": period}
    kind_labels = dict(ind_kind_labels())
    lines = [
        _(
            "%(period)s, the 12345 hotline received %(intake)s requests from the public: "
            "%(answered_now)s completed at once, %(declined)s declined; %(visited)s "
            "visited again, %(pleased)s satisfied or basically satisfied, a satisfaction "
            "rate of %(rate)s."
        )
        % {**h, "period": period, "rate": _pct([h["pleased"], h["visited"]])},
    ]
    if f["kinds"]:
        parts = _(", ").join(
            _("%(kind)s %(count)s")
            % {"kind": kind_labels.get(k["key"], k["key"]), "count": k["count"]}
            for k in f["kinds"]
        )
        lines.append(_("By kind of request: %(kinds)s.") % {"kinds": parts})
    ranked = [u for u in f["units"] if u["rank"] is not None]
    if ranked:
        lines.append(
            _("Assessed by %(scheme)s, the units' scores and ranks are:") % {"scheme": f["scheme"]}
        )
        for u in ranked:
            r = u["rates"]
            lines.append(
                _(
                    "%(group)s no. %(rank)s %(name)s: score %(total)s, on-time completion "
                    "rate %(on_time)s, response rate %(response)s, resolution rate "
                    "%(resolve)s, satisfaction rate %(satisfy)s, satisfaction with the "
                    "handling unit %(unit_satisfy)s, %(overdue)s overdue."
                )
                % {
                    **u,
                    "on_time": _pct(r["on_time_rate"]),
                    "response": _pct(r["response_rate"]),
                    "resolve": _pct(r["resolve_rate"]),
                    "satisfy": _pct(r["satisfy_rate"]),
                    "unit_satisfy": _pct(r.get("unit_satisfy_rate", [0, 0])),
                }
            )
    late = [u for u in f["units"] if u["overdue"]]
    if late:
        lines.append(
            _("Units with overdue work: %(units)s; please put it right promptly.")
            % {"units": _(", ").join(_("%(name)s (%(overdue)s overdue)") % u for u in late)}
        )
    return title, "\n\n".join(lines)


def ind_kind_labels() -> list[tuple[str, str]]:
    from hotline.sla.policies import KIND_LABELS

    return [(str(k), str(v)) for k, v in KIND_LABELS.items()]


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
    with translation.override(settings.LANGUAGE_CODE):
        return _document_docx(doc)


def _document_docx(doc: ReportDocument) -> bytes:
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
            (
                pgettext("report table", "Unit"),
                pgettext("report table", "Group"),
                pgettext("report table", "Score"),
                pgettext("report table", "Rank"),
                pgettext("report table", "On-time completion rate"),
                pgettext("report table", "Satisfaction rate"),
            ),
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
    formula; numbers stay numbers. Written in the site language, as the document is."""
    with translation.override(settings.LANGUAGE_CODE):
        return _document_xlsx(doc)


def _document_xlsx(doc: ReportDocument) -> bytes:
    from hotline.core.excel import SafeWorkbook

    book = SafeWorkbook()
    sheet = book.sheet(pgettext("report table", "Assessment results"), widths=(30, 14))
    book.append(sheet, [document_issuer()])
    book.append(sheet, [doc.number or pgettext("report table", "Draft"), doc.title], bold=True)
    rates = [r for r in ind.RATES if r.key != "sign_rate"]
    book.append(
        sheet,
        [
            pgettext("report table", "Unit"),
            pgettext("report table", "Group"),
            pgettext("report table", "Received as lead"),
            pgettext("report table", "Overdue"),
            *(r.label for r in rates),
            pgettext("report table", "Score"),
            pgettext("report table", "Rank"),
        ],
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
