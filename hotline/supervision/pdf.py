"""PDF (WeasyPrint, Noto CJK fonts) and Excel (openpyxl) renderings of supervision
documents and the monthly bulletin (R-SV-2, R-SV-3, R-SV-6).

Documents are rendered in the hotline's language (settings.LANGUAGE_CODE), whatever the
language of the person or process that triggers the rendering.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from hotline.core.excel import SafeWorkbook
from hotline.supervision.models import Document

CJK_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def fonts_used(html: str) -> set[str]:
    """The fonts WeasyPrint embeds for `html`, e.g. {"Noto-Serif-CJK-SC"} (for checks)."""
    from weasyprint import HTML

    rendered = HTML(string=html).render()
    rendered.write_pdf()
    return {font.name.decode().split("+", 1)[-1] for font in rendered.fonts.values()}


def document_html(document: Document) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "supervision/pdf/document.html", {"doc": document, "f": document.facts}
        )


def document_pdf(document: Document) -> bytes:
    return html_to_pdf(document_html(document))


def bulletin_pdf(bulletin: dict[str, Any]) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("supervision/pdf/bulletin.html", {"b": bulletin})
    return html_to_pdf(html)


BULLETIN_COLUMNS = (
    ("unit", gettext_noop("Unit")),
    ("dispatched", gettext_noop("Dispatched")),
    ("reminders", gettext_noop("Reminders")),
    ("urged", gettext_noop("Urged by leaders")),
    ("letters", gettext_noop("Supervision letters")),
    ("recommendations", gettext_noop("Efficiency recommendations")),
    ("overdue", gettext_noop("Overdue")),
    ("criticised", gettext_noop("Public criticism")),
)


def bulletin_xlsx(bulletin: dict[str, Any]) -> bytes:
    """The bulletin as .xlsx through the one safe writer: a summary starting with `=` stays
    text in the 通报批评 sheet, control characters are dropped (issue 14 item 5)."""
    with translation.override(settings.LANGUAGE_CODE):
        book = SafeWorkbook()
        sheet = book.sheet(bulletin["month"].strftime("%Y-%m"), widths=(36,))
        book.append(sheet, [bulletin["title"]], size=14)
        book.append(sheet, [gettext(label) for _key, label in BULLETIN_COLUMNS], bold=True)
        for row in bulletin["rows"]:
            book.append(sheet, [row[key] for key, _label in BULLETIN_COLUMNS])
        totals = bulletin["totals"]
        book.append(sheet, [gettext("Total"), *[totals[key] for key, _l in BULLETIN_COLUMNS[1:]]])
        ranking = bulletin.get("ranking") or []
        if ranking:  # R-SV-6: the rates and the ranking, as in the PDF and the page
            ranked = book.sheet(gettext("Rates and ranking"), widths=(14, 8, 30))
            book.append(
                ranked,
                [
                    gettext("Kind"),
                    gettext("Rank"),
                    gettext("Unit"),
                    *(label for label, _ratio in ranking[0]["rates"]),
                    gettext("Score"),
                ],
                bold=True,
            )
            for r in ranking:
                book.append(
                    ranked,
                    [
                        r["group"],
                        r["rank"],
                        r["unit"],
                        *(ratio.display() for _label, ratio in r["rates"]),
                        "—" if r["score"] is None else r["score"],
                    ],
                )
        criticism = book.sheet(gettext("Public criticism"), widths=(30, 18, 40))
        book.append(
            criticism,
            [
                gettext("Unit"),
                gettext("Ticket"),
                gettext("Summary"),
                gettext("Reply by"),
                gettext("Times reminded"),
                gettext("Listed at"),
            ],
            bold=True,
        )
        for item in bulletin["criticism"]:
            book.append(
                criticism,
                [
                    item["unit"],
                    item["number"],
                    item["summary"],
                    item["due"],
                    item["reminded"],
                    item["at"],
                ],
            )
        return book.to_bytes()
