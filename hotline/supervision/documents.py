"""Numbered supervision documents (R-SV-2, R-SV-3): supervision letters (督) and efficiency
recommendations (效), numbered per year in one series whether the escalation ladder or a
supervisor issues them, and rendered to PDF once, by the tick (`render_pending`), outside
any row lock. Issuing one by hand is `services.document_issue`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hotline.core import clock, dates
from hotline.core.numbering import next_in_series, official_number
from hotline.sla.policies import Rung
from hotline.supervision import ladder as ladder_math
from hotline.supervision.models import Document, DocumentCounter, Escalation, Reminder
from hotline.tickets.models import Assignment, Ticket, UnitRequest

log = logging.getLogger(__name__)

DEFAULT_WORDS: dict[str, str] = {"letter": "督", "recommendation": "效"}


def document_facts(ticket: Ticket, assignment: Assignment) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "summary": ticket.summary,
        "unit": assignment.unit.name,
        "due": dates.local_moment(assignment.reply_due),
        "received": dates.local_moment(ticket.received_at),
        "dispatched": dates.local_moment(assignment.dispatched_at),
    }


def report_due(issued_at) -> date:
    """The day by which the unit reports in writing on a letter or recommendation:
    `settings.HOTLINE_DOCUMENT_REPORT_DAYS` working days after the day of issue."""
    from hotline.sla.selectors import work_calendar

    days = getattr(settings, "HOTLINE_DOCUMENT_REPORT_DAYS", 5)
    return work_calendar().nth_workday_after(timezone.localtime(issued_at).date(), days)


def _by_hand(user) -> str:
    name = (user.get_full_name() or user.username) if user is not None else ""
    return _("supervisor %(name)s") % {"name": name} if name else _("a supervisor")


def supervision_history(
    assignment: Assignment, *, ticket: Ticket, exclude: Escalation | None = None
) -> list[dict[str, str]]:
    """The supervision so far of the assignment's current deadline, oldest first, each
    row saying in Chinese who acted: the system's automatic reminders, a supervisor by
    name, or the hotline leader who urged (by the rung's contact role). A document is
    written in the site language whoever issues it (decision 0025)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _history(assignment, ticket=ticket, exclude=exclude)


def _history(
    assignment: Assignment, *, ticket: Ticket, exclude: Escalation | None
) -> list[dict[str, str]]:
    rows: list[tuple[datetime, int, dict[str, str]]] = []
    for r in Reminder.objects.filter(assignment=assignment).select_related("by"):
        if r.kind == Reminder.Kind.AUTO:
            who = _("12345 hotline system, automatic reminder")
            what = (
                _("reminder %(days)s working days before the deadline") % {"days": r.lead_days}
                if r.lead_days
                else _("reminder at the deadline")
            )
        else:
            who, what = _by_hand(r.by), _("reminder by hand")
        rows.append(
            (r.at, 0, {"at": dates.document_moment(r.at), "what": what, "who": who, "note": r.note})
        )
    rungs = Escalation.objects.filter(assignment=assignment)
    if assignment.reply_due is not None:
        rungs = rungs.filter(reply_due=assignment.reply_due)
    if exclude is not None:
        rungs = rungs.exclude(pk=exclude.pk)
    ladder = {r.key: r for r in ticket.policy_version.as_policy().ladder}
    for e in rungs:
        rung = ladder.get(e.rung)
        role = str(ladder_math.CONTACT_LABELS[rung.by]) if rung and rung.by else ""
        who = f"{role}{e.by_name}" if (role or e.by_name) else ladder_math.issuer_name()
        rows.append(
            (e.at, 1, {"at": dates.document_moment(e.at), "what": e.label, "who": who, "note": ""})
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    return [row for _at, _order, row in rows]


def has_extension(assignment: Assignment) -> bool:
    """Granted or asked for: "超过办理期限又未申请延期" (LX 四4) is the opposite. The
    ladder skips a rung on it (escalation) and the document states it."""
    return (
        assignment.extra_days > 0
        or UnitRequest.objects.filter(
            assignment=assignment,
            kind=UnitRequest.Kind.EXTENSION,
            decision__in=[UnitRequest.Decision.PENDING, UnitRequest.Decision.APPROVED],
        ).exists()
    )


def document_write(
    *,
    kind: str,
    rung: Rung,
    assignment: Assignment,
    ticket: Ticket,
    escalation: Escalation | None,
) -> Document:
    issued_at = clock.now()
    year = timezone.localtime(issued_at).year
    prefix = ladder_math.document_prefix(rung.number_word or DEFAULT_WORDS[kind])
    sequence = next_in_series(DocumentCounter, prefix=prefix, year=year)
    history = supervision_history(assignment, ticket=ticket, exclude=escalation)
    facts = {
        **document_facts(ticket, assignment),
        # A document writes its dates as documents do (2026年12月3日 17:30).
        "due": dates.document_moment(assignment.reply_due),
        "received": dates.document_moment(ticket.received_at),
        "dispatched": dates.document_moment(assignment.dispatched_at),
        "kind_label": rung.label,
        "detail": ticket.detail,
        "city": ladder_math.city_name(),
        "history": history,
        "citation": rung.citation,
        "extension": has_extension(assignment),
        "issued": dates.document_date(issued_at),
        "report_due": dates.document_date(report_due(issued_at)),
    }
    return Document.objects.create(
        kind=kind,
        number=official_number(prefix, year, sequence),
        year=year,
        sequence=sequence,
        ticket=ticket,
        assignment=assignment,
        unit=assignment.unit,
        escalation=escalation,
        issuer=ladder_math.issuer_name(rung.issuer),
        issued_at=issued_at,
        facts=facts,
    )


MAX_RENDER_ATTEMPTS = 5
RENDER_CLAIM_TIMEOUT = timedelta(minutes=10)


def document_render(document: Document) -> Document:
    """Render and store the PDF once; a rendered document never changes."""
    from hotline.supervision import pdf

    if document.file:
        return document
    content = pdf.document_pdf(document)
    name = f"{document.kind}-{document.year}-{document.sequence:04d}.pdf"
    document.file.save(name, ContentFile(content), save=False)
    document.rendered_at = clock.now()
    document.render_claimed_at = None
    document.render_error = ""
    document.save(update_fields=["file", "rendered_at", "render_claimed_at", "render_error"])
    return document


def render_pending(*, limit: int = 20) -> dict[str, int]:
    """The tick's job: render documents issued but not yet stored, each claimed with a
    conditional UPDATE so two ticks never render the same one."""
    counts = {"rendered": 0, "failed": 0}
    now = clock.now()
    due = (
        Document.objects.filter(rendered_at__isnull=True, render_attempts__lt=MAX_RENDER_ATTEMPTS)
        .filter(
            Q(render_claimed_at__isnull=True) | Q(render_claimed_at__lt=now - RENDER_CLAIM_TIMEOUT)
        )
        .order_by("issued_at", "id")
        .values_list("pk", "render_claimed_at")[:limit]
    )
    for pk, claimed_at in list(due):
        won = Document.objects.filter(pk=pk, render_claimed_at=claimed_at).update(
            render_claimed_at=now
        )
        if not won:
            continue
        document = Document.objects.get(pk=pk)
        try:
            document_render(document)
        except Exception as exc:  # a broken font or template must not stop the tick
            log.exception("document %s not rendered", document.number)
            Document.objects.filter(pk=pk).update(
                render_attempts=document.render_attempts + 1,
                render_error=str(exc)[:1000],
                render_claimed_at=None,
            )
            counts["failed"] += 1
        else:
            counts["rendered"] += 1
    return counts
