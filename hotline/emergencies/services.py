"""Writes of the emergency app: transfer at intake, report, acknowledge, escalate.

An emergency transfer is recorded as a ticket not accepted for the emergency reason
(R-IN-4, ZS 13(一)) and reported at once to the leaders and the government duty office
(R-DA-5, ZS 25, KM 20): in-app to every leader, by SMS to the duty office's first
contact. Until someone acknowledges it, the tick texts the next contact every
HOTLINE_EMERGENCY_ESCALATE_MINUTES minutes (`escalate_due`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from hotline.accounts.models import User
from hotline.accounts.permissions import ROLE_CAPABILITIES, Capability, can
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.core.models import audit
from hotline.emergencies.models import EmergencyReport, Service
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify
from hotline.tickets import services as tickets
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import DeclineReason, IntakeOutcome, Ticket

REPORTERS = (Capability.INTAKE, Capability.DISPATCH, Capability.SUPERVISE)
RESPONDERS = (Capability.SUPERVISE, Capability.INSTRUCT)  # the hotline's and city leaders


def _may(user, capabilities) -> bool:
    return any(can(user, c) for c in capabilities)


def leaders():
    """Everyone whose role answers an emergency report (supervisors, city leaders)."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if set(RESPONDERS) & caps]
    return User.objects.filter(is_active=True, role__in=roles).order_by("id")


def duty_ladder() -> list[dict[str, str]]:
    """Who is texted, in order: the duty office's (总值班室) duty phone, deputy head and
    head from the directory, then the hotline centre's head. Contacts without a phone
    are skipped."""
    from hotline.directory.models import Unit
    from hotline.supervision.ladder import hotline_unit

    rungs = []
    duty = Unit.objects.filter(code=settings.HOTLINE_DUTY_OFFICE, active=True).first()
    sources: list[tuple[Any, tuple[str, ...]]] = [
        (duty, ("liaison", "deputy_head", "head")),
        (hotline_unit(), ("head",)),
    ]
    for unit, fields in sources:
        if unit is None:
            continue
        for field in fields:
            phone = getattr(unit, f"{field}_phone")
            if phone:
                name = getattr(unit, f"{field}_name")
                rungs.append({"unit": unit.name, "name": name, "phone": phone})
    return rungs


def _text(report: EmergencyReport) -> str:
    """The SMS and inbox text, in the site language whoever sends it (0004)."""
    at = timezone.localtime(report.reported_at).strftime("%m-%d %H:%M")
    with translation.override(settings.LANGUAGE_CODE):
        number = (
            gettext(" (ticket %(number)s)") % {"number": report.ticket.number}
            if report.ticket is not None
            else ""
        )
        transfer = (
            gettext(", transferred to %(service)s") % {"service": report.service}
            if report.service
            else ""
        )
        return gettext(
            "[12345 emergency report] %(at)s %(kind)s: %(summary)s%(number)s%(transfer)s. "
            "Please log in to the hotline platform and acknowledge it."
        ) % {
            "at": at,
            "kind": report.get_kind_display(),
            "summary": report.summary,
            "number": number,
            "transfer": transfer,
        }


def _subject() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("12345 emergency report")


def _inbox_subject(report: EmergencyReport) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return (gettext("Emergency report: %(summary)s") % {"summary": report.summary})[:200]


def _transferred_answer(service: Service) -> str:
    """The ticket's answer, stored, so in the site language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Emergency, transferred to %(service)s") % {"service": service.label}


def _text_rung(report: EmergencyReport, index: int) -> None:
    rung = report.ladder[index]
    notify(
        channel=NotificationChannel.SMS,
        address=rung["phone"],
        subject=_subject(),
        body=_text(report),
        ticket=report.ticket,
        key=f"emergency:{report.pk}:{index}",
    )


def emergency_report(
    *,
    actor,
    kind: str,
    summary: str,
    ticket: Ticket | None = None,
    service: str = "",
) -> EmergencyReport:
    """Report an emergency or risk event at once to the leaders and the duty office."""
    if not _may(actor, REPORTERS):
        raise PermissionDenied(gettext("Your role may not report emergencies"))
    summary = summary.strip()
    if kind not in EmergencyReport.Kind.values:
        raise DomainError(gettext("Unknown kind of emergency"), code="invalid_kind")
    if service and service not in Service.values:
        raise DomainError(gettext("Choose 110, 119, 120 or 122"), code="invalid_service")
    if not summary:
        raise DomainError(gettext("Fill in a summary of the emergency"), code="invalid_summary")
    minutes = settings.HOTLINE_EMERGENCY_ESCALATE_MINUTES
    with transaction.atomic():
        now = clock.now()
        ladder = duty_ladder()
        report = EmergencyReport.objects.create(
            kind=kind,
            ticket=ticket,
            service=service,
            summary=summary[:200],
            reported_by=actor,
            reported_at=now,
            ladder=ladder,
            escalated=1 if ladder else 0,
            next_escalation_at=now + timedelta(minutes=minutes) if len(ladder) > 1 else None,
        )
        body = _text(report)
        for leader in leaders():
            notify(
                channel=NotificationChannel.INBOX,
                recipient=leader,
                subject=_inbox_subject(report),
                body=body,
                ticket=ticket,
                key=f"emergency:{report.pk}:inbox:{leader.pk}",
            )
        if ladder:
            _text_rung(report, 0)
        if ticket is not None:
            record(
                lock_ticket(ticket),
                EventKind.EMERGENCY_REPORTED,
                actor=actor,
                report=report.pk,
                kind=kind,
                service=service,
            )
        audit(
            kind="emergency_reported",
            actor=actor,
            object_type="emergency_report",
            object_id=report.pk,
            emergency_kind=kind,
        )
    return report


def emergency_transfer(*, actor, service: str, **call) -> Ticket:
    """转接并记录: the call goes to 110/119/120/122 and is kept as a ticket not accepted
    for the emergency reason, urgent, with the number it went to (R-IN-4, ZS 13(一));
    the emergency is reported at once (R-DA-5). `call` holds ticket_create's caller and
    request fields (phone, name, channel, kind, summary, detail, address)."""
    if service not in Service.values:
        raise DomainError(gettext("Choose 110, 119, 120 or 122"), code="invalid_service")
    with transaction.atomic():
        ticket = tickets.ticket_create(
            actor=actor,
            intake_outcome=IntakeOutcome.DECLINE,
            decline_reason=DeclineReason.EMERGENCY,
            urgency="urgent",
            answer=_transferred_answer(Service(service)),
            **call,
        )
        emergency_report(
            actor=actor,
            kind=EmergencyReport.Kind.EMERGENCY,
            summary=ticket.summary,
            ticket=ticket,
            service=service,
        )
    return ticket


def emergency_acknowledge(*, actor, report: EmergencyReport) -> EmergencyReport:
    """确认收到: stops the escalation. The first acknowledgement wins; a second is told."""
    if not _may(actor, RESPONDERS):
        raise PermissionDenied(
            gettext("Only the hotline and the city leaders may acknowledge an emergency report")
        )
    with transaction.atomic():
        now = clock.now()
        claimed = EmergencyReport.objects.filter(pk=report.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor, next_escalation_at=None
        )
        if not claimed:
            raise Conflict(gettext("Someone else has already acknowledged this emergency report"))
        report.refresh_from_db()
        if report.ticket_id:
            record(
                lock_ticket(report.ticket_id),
                EventKind.EMERGENCY_ACKNOWLEDGED,
                actor=actor,
                report=report.pk,
            )
        audit(
            kind="emergency_acknowledged",
            actor=actor,
            object_type="emergency_report",
            object_id=report.pk,
        )
    return report


def escalate_due() -> dict:
    """Tick job: every report unacknowledged past its time texts the next contact.
    The conditional UPDATE claims each step, so two ticks never text it twice."""
    now = clock.now()
    minutes = settings.HOTLINE_EMERGENCY_ESCALATE_MINUTES
    texted = 0
    due = EmergencyReport.objects.filter(
        acknowledged_at__isnull=True, next_escalation_at__lte=now
    ).order_by("next_escalation_at")
    for report in due[:100]:
        with transaction.atomic():
            index = report.escalated
            last = index + 1 >= len(report.ladder)
            claimed = EmergencyReport.objects.filter(
                pk=report.pk, escalated=index, acknowledged_at__isnull=True
            ).update(
                escalated=index + 1,
                next_escalation_at=None if last else now + timedelta(minutes=minutes),
            )
            if not claimed or index >= len(report.ladder):
                continue
            _text_rung(report, index)
            texted += 1
    return {"texted": texted}
