"""The demo city's assessment: the presets installed (ZS the default), the facts computed
from the demo tickets' month of history (made through the services with the clock moved,
hotline.tickets.demo), last month published, and a drafted bulletin. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from hotline.accounts.models import User
from hotline.directory.selectors import today
from hotline.reports import aggregate, schemes, selectors, services
from hotline.reports.models import Period, ReportDocument, Scheme
from hotline.tickets.models import Ticket


def build_demo_reports() -> None:
    admin = User.objects.get(username="admin")
    for code in schemes.PRESETS:
        if not Scheme.objects.filter(code=code).exists():
            services.scheme_install_preset(actor=admin, code=code)
    if not Scheme.objects.filter(is_default=True).exists():
        services.scheme_set_default(actor=admin, scheme=Scheme.objects.get(code="ZS"))
    aggregate.refresh_tickets(Ticket.objects.values_list("pk", flat=True))
    aggregate.refresh_pending()  # records the watermark and when
    last_month = selectors.month_span(today().replace(day=1) - timedelta(days=1))
    supervisor = User.objects.get(username="supervisor1")
    if not Period.objects.filter(start=last_month.start, end=last_month.end).exists():
        services.period_publish(
            actor=supervisor, kind="month", start=last_month.start, end=last_month.end
        )
    if not ReportDocument.objects.exists():
        analyst = User.objects.get(username="analyst1")
        services.report_draft(
            actor=analyst, kind="monthly", start=last_month.start, end=last_month.end
        )
