"""`hotline bulletin --month 2026-10 --out DIR`: the monthly bulletin (月通报, R-SV-6) as
.xlsx and .pdf files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.supervision import pdf, selectors


class Command(BaseCommand):
    help = "Write the monthly supervision bulletin (reminders, overdue, criticism by unit)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument("--out", default=".", help="directory to write the files to")
        parser.add_argument(
            "--format", choices=["xlsx", "pdf", "both"], default="both", help="default: both"
        )

    def handle(self, *args, month: str, out: str, format: str, **options):
        parsed = selectors.parse_month(month)
        if parsed.strftime("%Y-%m") != month:
            raise CommandError(f"--month must look like 2026-10, not {month!r}")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        data = selectors.bulletin(parsed)
        written = []
        if format in ("xlsx", "both"):
            path = folder / f"bulletin-{month}.xlsx"
            path.write_bytes(pdf.bulletin_xlsx(data))
            written.append(path)
        if format in ("pdf", "both"):
            path = folder / f"bulletin-{month}.pdf"
            path.write_bytes(pdf.bulletin_pdf(data))
            written.append(path)
        for path in written:
            self.stdout.write(str(path))
