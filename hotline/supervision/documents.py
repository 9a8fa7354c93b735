"""Numbered supervision documents (R-SV-2, R-SV-3): supervision letters (督) and efficiency
recommendations (效), numbered per year in one series whether the escalation ladder or a
supervisor issues them, and rendered to PDF once, by the tick (`render_pending`), outside
any row lock. Issuing one by hand is `services.document_issue`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from hotline.core import clock
from hotline.core.numbering import next_in_series, official_number
from hotline.sla.policies import Rung
from hotline.supervision import ladder as ladder_math
from hotline.supervision.models import Document, DocumentCounter, Escalation, Reminder
from hotline.tickets.models import Assignment, Ticket

log = logging.getLogger(__name__)

DEFAULT_WORDS: dict[str, str] = {"letter": "督", "recommendation": "效"}


def _facts(ticket: Ticket, assignment: Assignment) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "summary": ticket.summary,
        "unit": assignment.unit.name,
        "due": ladder_math.local(assignment.reply_due),
        "received": ladder_math.local(ticket.received_at),
        "dispatched": ladder_math.local(assignment.dispatched_at),
    }


def _document_issue(
    *,
    kind: str,
    rung: Rung,
    assignment: Assignment,
    ticket: Ticket,
    escalation: Escalation | None,
) -> Document:
    # A cycle: escalation imports this module (a rung issues its document), and the
    # document states whether an extension was asked for, which is the ladder's rule.
    from hotline.supervision.escalation import has_extension

    issued_at = clock.now()
    year = timezone.localtime(issued_at).year
    prefix = ladder_math.document_prefix(rung.number_word or DEFAULT_WORDS[kind])
    sequence = next_in_series(DocumentCounter, prefix=prefix, year=year)
    history = [
        {"at": ladder_math.local(r.at), "what": r.get_kind_display(), "note": r.note}
        for r in Reminder.objects.filter(assignment=assignment).order_by("at", "id")
    ]
    rungs = Escalation.objects.filter(assignment=assignment)
    if assignment.reply_due is not None:
        rungs = rungs.filter(reply_due=assignment.reply_due)
    if escalation is not None:
        rungs = rungs.exclude(pk=escalation.pk)
    history += [
        {"at": ladder_math.local(e.at), "what": e.label, "note": e.by_name}
        for e in rungs.order_by("at", "id")
    ]
    facts = {
        **_facts(ticket, assignment),
        "kind_label": rung.label,
        "detail": ticket.detail,
        "city": ladder_math.city_name(),
        "history": history,
        "citation": rung.citation,
        "extension": has_extension(assignment),
        "issued": timezone.localtime(issued_at).strftime("%Y-%m-%d"),
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
