"""Writes beside the flow: notes, attachments (R-DA-1, KM 19) and abuse records (R-IN-5)."""

from __future__ import annotations

from django.db import transaction

from hotline.accounts.permissions import Capability, can, require
from hotline.core.errors import DomainError, PermissionDenied
from hotline.core.models import audit
from hotline.tickets import attachments, states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    AbuseRecord,
    Attachment,
    Citizen,
    Ticket,
    TicketEvent,
)


def ticket_annotate(*, actor, ticket: Ticket, text: str) -> TicketEvent:
    """A note on any ticket, closed ones included; the only write a closed ticket takes
    (R-DA-1)."""
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise PermissionDenied("无权查看该工单")
    if not text.strip():
        raise DomainError("请填写备注")
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        states.check("annotate", ticket.status)
        return record(ticket, EventKind.ANNOTATED, actor=actor, text=text.strip())


def abuse_record(*, actor, citizen: Citizen, kind: str, note: str = "") -> AbuseRecord:
    """Record abusive behaviour against the caller's record: warned first, handed to the
    police when serious (R-IN-5, KM 25-26, ZS 37)."""
    require(actor, Capability.INTAKE)
    if kind not in AbuseRecord.Kind.values:
        raise DomainError("未知的恶意来电类型")
    with transaction.atomic():
        record = AbuseRecord.objects.create(citizen=citizen, kind=kind, note=note, by=actor)
        audit(
            kind="abuse_recorded",
            actor=actor,
            object_type="citizen",
            object_id=citizen.pk,
            abuse_kind=kind,
            total=citizen.abuse_records.count(),
        )
    return record


def attachment_add(*, actor, ticket: Ticket, upload, evidence: bool = False) -> Attachment:
    """Attach a file; evidence of a complaint stays with the hotline (KM 19)."""
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise PermissionDenied("无权查看该工单")
    if evidence and not can(actor, Capability.VIEW_CONFIDENTIAL):
        raise PermissionDenied("承办单位不能上传投诉证据材料")
    head = upload.read(16)
    upload.seek(0)
    content_type = attachments.check(upload.name, head, upload.size)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        states.check("annotate", ticket.status)
        attachment = Attachment(
            ticket=ticket,
            name=upload.name[:200],
            size=upload.size,
            content_type=content_type,
            evidence=evidence,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        record(
            ticket,
            EventKind.ATTACHED,
            actor=actor,
            name=attachment.name,
            evidence=evidence,
            size=attachment.size,
        )
    return attachment
