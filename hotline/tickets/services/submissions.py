"""Submissions to the city leaders and their instructions (呈批表 / 专报 / 批示, R-HM-6)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.tickets import states
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    Submission,
    Ticket,
)


def submission_create(
    *, actor, tickets: list[Ticket], kind: str, title: str, body: str
) -> Submission:
    """Put wide-impact tickets before the city leaders (呈批表 / 专报, R-HM-6, KM 12(七)).

    Numbered by date like every paper the hotline sends up (R-DA-1, LX 四6)."""
    require(actor, Capability.DISPATCH)
    if kind not in Submission.Kind.values:
        raise DomainError(_("Please choose a submission form or a special report"))
    if not tickets or not title.strip() or not body.strip():
        raise DomainError(_("A submission needs tickets, a title and a text"))
    with transaction.atomic():
        locked = [lock_ticket(t) for t in sorted(tickets, key=lambda t: t.pk)]
        for ticket in locked:
            if ticket.status in states.FINAL:
                raise Conflict(
                    _("Ticket %(number)s is finished and cannot be submitted")
                    % {"number": ticket.number}
                )
        made = Submission.objects.create(
            number=Submission.take_number(kind, clock.now()),
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            created_by=actor,
        )
        made.tickets.set(locked)
        for ticket in locked:
            record(
                ticket,
                EventKind.SUBMITTED_TO_LEADER,
                actor=actor,
                submission=made.number,
                title=title,
            )
    return made


def submission_instruct(
    *, actor, submission: Submission, instruction: str, days: int | None = None
) -> Submission:
    """A city leader's instruction (批示); dispatching the tickets in mode `instruction`
    then carries its text and its own deadline (R-HM-6, LX 四3)."""
    require(actor, Capability.INSTRUCT)
    if not instruction.strip():
        raise DomainError(_("Please write the instruction"))
    if days is not None and not 1 <= days <= 365:
        raise DomainError(_("The instruction's deadline is 1 to 365 working days"))
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.instructed_at:
            raise Conflict(_("This submission already has an instruction"))
        submission.instruction, submission.instruction_days = instruction.strip(), days
        submission.instructed_by, submission.instructed_at = actor, clock.now()
        submission.save()
        for ticket in submission.tickets.all():
            ticket = lock_ticket(ticket)
            ticket.instruction, ticket.instruction_days = submission.instruction, days
            record(
                ticket,
                EventKind.INSTRUCTED,
                actor=actor,
                fields=["instruction", "instruction_days"],
                submission=submission.number,
                instruction=submission.instruction,
                days=days,
            )
    return submission
