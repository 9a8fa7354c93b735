"""Intake: one ticket (`ticket_create`, R-IN, R-HM-1 to R-HM-3) and the parts that one
ticket and a batch of tickets share (issue 14 item 11).

`ticket_check` is the one validation of a new ticket's fields (the page, the API, the
channels and the bulk endpoint all pass through it); `TicketCounter.take` hands out the
day's ticket numbers with one statement; `initial_state` decides the new ticket's status
before it is inserted, so a create is one INSERT and not an INSERT plus an UPDATE.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.text import email_is_valid, openid_is_valid, phone_is_valid
from hotline.core.transactions import service_transaction
from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.sla.models import PolicyVersion
from hotline.sla.policies import Kind, Urgency
from hotline.sla.selectors import default_policy_version
from hotline.tickets import followup, states
from hotline.tickets.events import EventKind, record
from hotline.tickets.models import (
    DECLINE_GUIDANCE,
    Citizen,
    DeclineReason,
    IntakeOutcome,
    Ticket,
    TicketChannel,
    TicketCounter,
)
from hotline.tickets.services.common import (
    site_language,
)
from hotline.tickets.states import Status

KINDS = frozenset(k.value for k in Kind)
URGENCIES = frozenset(u.value for u in Urgency)


def ticket_check(
    *,
    phone: str,
    summary: str,
    kind: str,
    channel: str,
    intake_outcome: str,
    urgency: str,
    decline_reason: str,
    answer: str,
    has_forward_to: bool,
    has_related_to: bool,
    email: str = "",
    wechat_openid: str = "",
) -> list[str]:
    """What is wrong with a new ticket's fields, in the operator's words (none: fine).
    `phone`, `summary`, `email` and `wechat_openid` are expected stripped."""
    errors = []
    # An online channel may know only a mail address or a WeChat follower (issue 13).
    online_contact = channel != TicketChannel.PHONE and bool(email or wechat_openid)
    if not phone and not online_contact:
        errors.append(_("Please give the caller's number"))
    elif phone and not phone_is_valid(phone):
        errors.append(
            _("A phone number has only digits, spaces, +, - and brackets (an extension after “转”)")
        )
    if email and not email_is_valid(email):
        errors.append(_("The e-mail address is not valid"))
    if wechat_openid and not openid_is_valid(wechat_openid):
        errors.append(_("The WeChat user id is not valid"))
    if not summary:
        errors.append(_("Please write the request's summary"))
    if intake_outcome not in IntakeOutcome.values:
        errors.append(_("Unknown handling"))
    if kind not in KINDS:
        errors.append(_("Unknown kind of request"))
    if channel not in TicketChannel.values:
        errors.append(_("Unknown channel of the request"))
    if urgency not in URGENCIES:
        errors.append(_("Unknown urgency"))
    if decline_reason and decline_reason not in DeclineReason.values:
        errors.append(_("Unknown reason for declining"))
    if intake_outcome in (IntakeOutcome.ANSWER_NOW, IntakeOutcome.GUIDE) and not answer.strip():
        errors.append(_("Please write the answer when answering at once or guiding"))
    if intake_outcome == IntakeOutcome.FORWARD and not has_forward_to:
        errors.append(_("Please choose the unit to forward to"))
    if intake_outcome == IntakeOutcome.DECLINE and not decline_reason:
        errors.append(_("Please choose the reason for declining"))
    if (
        intake_outcome == IntakeOutcome.DECLINE
        and decline_reason == "repeat"
        and not has_related_to
    ):
        errors.append(_("A repeated request is linked to its original ticket"))
    return errors


def initial_state(ticket: Ticket, intake_outcome: str, now: datetime) -> None:
    """The status the operator's choice leads to, set on the unsaved ticket as
    `_move` would set it after a save: the state machine decides, a completed ticket gets
    its visit deadline, and the version counts the one write."""
    action = "submit" if intake_outcome == IntakeOutcome.DISPATCH else str(intake_outcome)
    ticket.status = states.check(action, Status.RECEIVED)
    if ticket.status == Status.COMPLETED:
        ticket.visit_due = followup.visit_due(ticket, now)
        ticket.visit_retry_at = None
    ticket.version = 1


KNOWN = "_hotline_known_parts"


def remember(ticket: Ticket, **related: list) -> None:
    """Note on the ticket the related rows a service just wrote (`assignments=[...]`,
    `events=[...]`), so the answer to this request lists them without reading them again
    (`known`). A plain attribute, not Django's prefetch cache: the ticket's relations
    still read the database, so a caller that goes on with the same object (another
    service, `ticket.lead`) never sees these rows go stale."""
    ticket.__dict__.setdefault(KNOWN, {}).update(related)


def known(ticket: Ticket, name: str) -> list | None:
    """The rows of `name` remembered on the ticket by the service that wrote it, if any."""
    return ticket.__dict__.get(KNOWN, {}).get(name)


NEW_CALLER = "_hotline_new_caller"


def mark_new_caller(citizen) -> None:
    """The citizen's row was written by this intake: what an answer shows of them is what
    the operator just typed, not a view of stored personal data (issue 14 item 4)."""
    citizen.__dict__[NEW_CALLER] = True


def is_new_caller(citizen) -> bool:
    return bool(citizen.__dict__.get(NEW_CALLER))


def ticket_create(
    *,
    actor,
    phone: str,
    summary: str,
    kind: str,
    channel: str = "phone",
    email: str = "",
    wechat_openid: str = "",
    name: str = "",
    citizen_address: str = "",
    detail: str = "",
    address: str = "",
    urgency: str = "normal",
    confidential: bool = False,
    region: Unit | None = None,
    intake_outcome: str = IntakeOutcome.DISPATCH,
    answer: str = "",
    decline_reason: str = "",
    forward_to: Unit | None = None,
    related_to: Ticket | None = None,
    policy_version: PolicyVersion | None = None,
    topic: Topic | None = None,
    catalog_item: CatalogItem | None = None,
) -> Ticket:
    """Record a request and do what the operator chose with it.

    answer_now / guide / forward complete it at once (R-HM-1..3); decline keeps the
    reason (R-IN-4); dispatch puts it in the dispatcher's queue.
    """
    require(actor, Capability.INTAKE)
    phone, summary = phone.strip(), summary.strip()
    email, wechat_openid = email.strip(), wechat_openid.strip()
    errors = ticket_check(
        phone=phone,
        summary=summary,
        kind=kind,
        channel=channel,
        intake_outcome=intake_outcome,
        urgency=urgency,
        decline_reason=decline_reason,
        answer=answer,
        has_forward_to=forward_to is not None,
        has_related_to=related_to is not None,
        email=email,
        wechat_openid=wechat_openid,
    )
    if errors:
        raise DomainError("；".join(errors), code="invalid_ticket")
    version = policy_version or default_policy_version()
    if version is None:
        raise DomainError(
            _(
                "No deadline policy is set for new tickets; "
                "an administrator sets one under “Deadline policies”"
            )
        )

    with service_transaction():
        contact = {"phone": phone} if phone else {"email": email, "wechat_openid": wechat_openid}
        citizen = Citizen.objects.filter(**contact, name=name.strip()).first()
        if citizen is None:
            citizen = Citizen.objects.create(
                phone=phone,
                email=email,
                wechat_openid=wechat_openid,
                name=name.strip(),
                address=citizen_address.strip(),
                prefers_confidential=confidential,
            )
            mark_new_caller(citizen)
        now = clock.now()
        ticket = Ticket(
            number=TicketCounter.take(now)[0],
            channel=channel,
            kind=kind,
            urgency=urgency,
            summary=summary,
            detail=detail,
            address=address,
            region=region,
            confidential=confidential or citizen.prefers_confidential,
            citizen=citizen,
            operator=actor,
            received_at=now,
            intake_outcome=intake_outcome,
            decline_reason=decline_reason if intake_outcome == IntakeOutcome.DECLINE else "",
            answer=answer.strip(),
            policy_version=version,
            related_to=related_to,
            topic=topic,
            catalog_item=catalog_item,
        )
        initial_state(ticket, intake_outcome, now)  # one INSERT, no UPDATE after it
        ticket.save(force_insert=True)
        progress = ""
        if related_to is not None:
            with site_language():
                progress = _("The original ticket %(number)s is now: %(status)s") % {
                    "number": related_to.number,
                    "status": related_to.get_status_display(),
                }
        received = record(
            ticket,
            EventKind.RECEIVED,
            actor=actor,
            inserted=True,  # version 1 counts the INSERT
            guidance=DECLINE_GUIDANCE.get(decline_reason, ""),
            progress=progress,
            intake_outcome=intake_outcome,
            channel=channel,
            operator_no=getattr(actor, "operator_no", ""),
            decline_reason=decline_reason,
            forward_to=forward_to.code if forward_to else None,
            related_to=related_to.number if related_to else None,
        )
    # What a caller shows of the new ticket is known: no parts yet, this one event.
    remember(ticket, assignments=[], events=[received])
    return ticket
