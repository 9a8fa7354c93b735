"""Dispatch (R-HM-4 to R-HM-7, R-HM-10): send a ticket to its lead and co-units with their
deadlines, or merge a duplicate into another ticket."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import DomainError
from hotline.core.transactions import service_transaction
from hotline.directory.models import CatalogItem, Unit
from hotline.notifications.services import notify_many
from hotline.sla.policies import ClockStart, Kind, Mode, PeriodUnit, PolicyError, Urgency
from hotline.sla.selectors import work_calendar
from hotline.tickets import deadlines, search
from hotline.tickets.events import EventKind, lock_ticket, record
from hotline.tickets.models import (
    DECLINE_GUIDANCE,
    Assignment,
    DeclineReason,
    Ticket,
)
from hotline.tickets.services import intake
from hotline.tickets.services.common import (
    active_of,
    citizen_message,
    move,
    site_language,
    unit_messages,
)
from hotline.tickets.states import Status


def ticket_dispatch(
    *,
    actor,
    ticket: Ticket,
    lead: Unit,
    assists: list[Unit] | tuple[Unit, ...] = (),
    mode: str = Mode.WRITTEN,
    catalog_days: int | None = None,
    instruction: str = "",
    instruction_days: int | None = None,
    coordinated: bool = False,
    catalog_item: CatalogItem | None = None,
) -> Ticket:
    """Send the ticket to a lead unit and co-units; every part gets its deadlines.

    With a dispatch catalog item, its deadline applies where the policy defers to the
    catalog (ZS 15, R-HM-9)."""
    require(actor, Capability.DISPATCH)
    if mode not in {m.value for m in Mode}:
        raise DomainError(
            _("Unknown handling mode (by phone, in writing or on a leader's instruction)")
        )
    if catalog_days is not None and not 1 <= catalog_days <= 365:
        raise DomainError(_("The dispatch catalog's deadline is 1 to 365 working days"))
    if instruction_days is not None and not 1 <= instruction_days <= 365:
        raise DomainError(_("The instruction's deadline is 1 to 365 working days"))
    if not lead.active or any(not u.active for u in assists):
        raise DomainError(_("A ticket cannot be dispatched to a deactivated unit"))
    if not lead.receives_tickets or any(not u.receives_tickets for u in assists):
        raise DomainError(
            _(
                "A ticket cannot be dispatched to the government or the hotline itself; "
                "choose a handling unit"
            )
        )
    if not lead.may_lead:
        raise DomainError(
            _("A village or residents' committee may only assist, not lead (ZS art. 6)")
        )
    if lead in assists or len(set(assists)) != len(assists):
        raise DomainError(_("Assisting units may not repeat or be the lead unit"))
    with service_transaction():
        ticket = lock_ticket(ticket)
        # A leader's instruction recorded on a submission carries over (R-HM-6).
        instruction = instruction.strip() or ticket.instruction
        instruction_days = instruction_days or ticket.instruction_days
        dispatched_before = bool(ticket.mode)
        if mode == Mode.INSTRUCTION and not instruction:
            raise DomainError(_("A leader's instruction needs its text"))
        ticket.mode = mode
        if catalog_item is not None:
            ticket.catalog_item = catalog_item
            catalog_days = catalog_days or catalog_item.deadline_days
        ticket.catalog_days = catalog_days
        ticket.instruction = instruction
        ticket.instruction_days = instruction_days
        # Each unit's word search finds the ticket in the index from now on (0051).
        ticket.unit_terms = search.with_units(
            ticket.unit_terms, [lead.pk, *(u.pk for u in assists)]
        )
        moved = move(ticket, "dispatch")  # saved with the fields above by the one UPDATE
        now = clock.now()
        # Only a dispatch makes parts, and every dispatch sets the mode (read above,
        # before it is set): a ticket without one has none to read.
        existing = list(ticket.assignments.select_related("unit")) if dispatched_before else []
        previous = {a.unit_id: a for a in existing if a.role == Assignment.Role.LEAD}
        try:
            policy = ticket.policy_version.as_policy()
        except PolicyError as exc:  # a stored version that no longer reads: a 400, not a 500
            raise DomainError(str(exc), code=exc.code) from None
        calendar = work_calendar()  # once for every unit of the dispatch
        made = []
        for unit, role in [(lead, Assignment.Role.LEAD)] + [
            (u, Assignment.Role.ASSIST) for u in assists
        ]:
            first = previous.get(unit.pk)
            assignment = Assignment(
                ticket=ticket,
                unit=unit,
                role=role,
                mode=mode,
                dispatched_at=now,
                first_received_at=first.first_received_at if first else now,
                clock_start=now,
                coordinated=coordinated and role == Assignment.Role.LEAD,
            )
            if first and policy.clock.on_return_approved == ClockStart.FIRST_RECEIPT:
                assignment.clock_start = first.first_received_at
            result = _dispatch_deadlines(ticket, assignment, calendar, policy)
            assignment.save()
            made.append((assignment, result))
        lead_assignment, lead_result = made[0]
        phone = lead.liaison_phone or lead.public_phone or "—"
        with site_language():
            notice = _(
                "Your request (%(number)s) was passed to %(unit)s on %(at)s; contact "
                "%(liaison)s, phone %(phone)s; a reply is expected by %(due)s."
            ) % {
                "number": ticket.number,
                "at": local_moment(now),
                "unit": lead.name,
                "liaison": lead.liaison_name or "—",
                "phone": phone,
                "due": local_moment(lead_result.reply.due),
            }
            messages = citizen_message(ticket, notice, key=f"dispatch:{lead_assignment.pk}")
            for assignment, result in made:
                messages += unit_messages(
                    ticket,
                    assignment,
                    _("New ticket to sign for"),
                    _("%(number)s “%(summary)s”: sign for it by %(sign)s, finish by %(reply)s.")
                    % {
                        "number": ticket.number,
                        "summary": ticket.summary,
                        "sign": local_moment(result.sign.due if result.sign else None),
                        "reply": local_moment(result.reply.due),
                    },
                )
        notify_many(messages)  # one INSERT for the caller's SMS and every unit's inbox
        record(
            ticket,
            EventKind.DISPATCHED,
            actor=actor,
            fields=[
                *moved,
                "mode",
                "catalog_item",
                "catalog_days",
                "instruction",
                "instruction_days",
                "unit_terms",
            ],
            assignment=lead_assignment,
            assists=[u.code for u in assists],
            mode=mode,
            reply_due=local_moment(lead_result.reply.due),
            citizen_notice=notice,
            rule=lead_result.rule.label,
            citation=lead_result.rule.citation,
            deadline_from="catalog"
            if lead_result.rule.reply.unit == PeriodUnit.CATALOG
            else "rule",
        )
    # The caller's answer lists the ticket's parts: known here, not read again.
    intake.remember(ticket, assignments=existing + [a for a, _ in made])
    return ticket


def _dispatch_deadlines(ticket: Ticket, assignment: Assignment, calendar, policy):
    """The assignment's deadlines; a rule that takes them from the dispatch catalog, for
    a matter without a catalog item, asks the dispatcher for the deadline instead of
    failing: dispatch by statutory duty, and every ticket states its deadline (ZS 15,
    R-HM-9)."""
    try:
        return deadlines.refresh(ticket, assignment, calendar)
    except PolicyError as exc:
        rule = policy.rule_for(Kind(ticket.kind), Mode(assignment.mode), Urgency(ticket.urgency))
        if rule.reply.unit == PeriodUnit.CATALOG and ticket.catalog_days is None:
            raise DomainError(
                _(
                    "The policy rule “%(rule)s” takes the deadline from the dispatch catalog, "
                    "but this matter has no catalog item: give the deadline (working days) "
                    "by statutory duty (ZS art. 15)"
                )
                % {"rule": rule.label},
                code="deadline_required",
            ) from None
        raise DomainError(str(exc), code=exc.code) from None


def ticket_merge(*, actor, ticket: Ticket, into: Ticket, reason: str = "") -> Ticket:
    """Merge a duplicate (并单) into an open or completed ticket of the same matter."""
    require(actor, Capability.DISPATCH)
    if ticket.pk == into.pk:
        raise DomainError(_("A ticket cannot be merged into itself"))
    with transaction.atomic():
        first, second = sorted([ticket, into], key=lambda t: t.pk)
        locked = {t.pk: lock_ticket(t) for t in (first, second)}  # one order: no deadlock
        ticket, into = locked[ticket.pk], locked[into.pk]
        if into.status in (Status.MERGED, Status.DECLINED):
            raise DomainError(_("The target ticket is merged or declined"))
        if into.status == Status.CLOSED:
            with site_language():
                progress = _("The original ticket %(number)s is completed and archived") % {
                    "number": into.number
                }
            ticket.decline_reason, ticket.related_to = DeclineReason.REPEAT, into
            moved = move(ticket, "repeat_of_closed")
            active_of(ticket).update(active=False, state=Assignment.State.CLOSED)
            record(
                ticket,
                EventKind.REPEAT_LINKED,
                actor=actor,
                fields=[*moved, "decline_reason", "related_to"],
                related_to=into.number,
                reason=reason,
                guidance=DECLINE_GUIDANCE[DeclineReason.REPEAT],
                progress=progress,
            )
            return ticket
        moved = move(ticket, "merge")
        ticket.merged_into = into
        active_of(ticket).update(active=False, state=Assignment.State.CLOSED)
        record(
            ticket,
            EventKind.MERGED,
            actor=actor,
            fields=[*moved, "merged_into"],
            into=into.number,
            reason=reason,
        )
    return ticket
