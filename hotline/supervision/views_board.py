"""The supervisor's board as Excel (issue 15 item 14): the rows the board shows for the
same filters (level, unit, sort), through the one safe Excel writer."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.excel import SafeWorkbook
from hotline.supervision import selectors
from hotline.supervision.overdue import days_overdue

MAX_ROWS = 50_000


def board_rows(request) -> list[list[object]]:
    now = clock.now()
    rows = selectors.warned(
        request.user,
        level=request.GET.get("level", ""),
        sort=request.GET.get("sort", "due"),
        unit=request.GET.get("unit", "").strip(),
    )
    out: list[list[object]] = []
    for a in rows[:MAX_ROWS]:
        due = local_moment(a.reply_due, empty="")
        late = days_overdue(a.reply_due, now) if a.reply_due and a.reply_due < now else ""
        out.append(
            [
                a.ticket.number,
                a.ticket.summary,
                a.unit.name,
                due,
                _("Overdue") if a.reply_due and a.reply_due < now else a.get_warning_display(),
                late,
                a.reminder_count,  # type: ignore[attr-defined]
                a.ladder_label or "",  # type: ignore[attr-defined]
            ]
        )
    return out


@capability_required(Capability.SUPERVISE)
def board_xlsx(request):
    book = SafeWorkbook()
    sheet = book.sheet(_("Near-due and overdue work"), widths=(18, 40, 28, 18, 10, 10, 10, 20))
    header = [
        _("Number"),
        _("Summary"),
        _("Unit"),
        _("Reply by"),
        _("Warning"),
        _("Days overdue"),
        _("Reminders"),
        _("Ladder"),
    ]
    book.append(sheet, header, bold=True)
    for row in board_rows(request):
        book.append(sheet, row)
    response = HttpResponse(
        book.to_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="supervision-board-{stamp}.xlsx"'
    return response
