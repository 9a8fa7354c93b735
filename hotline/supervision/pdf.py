"""PDF (WeasyPrint, Noto CJK fonts) and Excel (openpyxl) renderings of supervision
documents and the monthly bulletin (R-SV-2, R-SV-3, R-SV-6).

Documents are rendered in the hotline's language (settings.LANGUAGE_CODE), whatever the
language of the person or process that triggers the rendering.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

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
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(settings.LANGUAGE_CODE):
        book = Workbook()
        sheet = book.active
        sheet.title = bulletin["month"].strftime("%Y-%m")
        sheet.append([bulletin["title"]])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([gettext(label) for _key, label in BULLETIN_COLUMNS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in bulletin["rows"]:
            sheet.append([row[key] for key, _label in BULLETIN_COLUMNS])
        totals = bulletin["totals"]
        sheet.append([gettext("Total"), *[totals[key] for key, _l in BULLETIN_COLUMNS[1:]]])
        sheet.column_dimensions["A"].width = 36
        criticism = book.create_sheet(gettext("Public criticism"))
        criticism.append(
            [
                gettext("Unit"),
                gettext("Ticket"),
                gettext("Summary"),
                gettext("Reply by"),
                gettext("Times reminded"),
                gettext("Listed at"),
            ]
        )
        for item in bulletin["criticism"]:
            criticism.append(
                [
                    item["unit"],
                    item["number"],
                    item["summary"],
                    item["due"],
                    item["reminded"],
                    item["at"],
                ]
            )
        criticism.column_dimensions["A"].width = 30
        criticism.column_dimensions["C"].width = 40
    out = BytesIO()
    book.save(out)
    return out.getvalue()
