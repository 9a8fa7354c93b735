"""The operator's review of an online request (受理审核, R-IN-1): accept it into a ticket,
merge it with a repeat, or decline it. Accepting and merging end in the one intake service,
`hotline.tickets.services.ticket_create`; `hotline.channels.services` re-exports these."""

from __future__ import annotations

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.channels import text
from hotline.channels.models import OnlineRequest
from hotline.channels.notices import contact_notice, report_transfer
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.core.models import audit
from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.tickets.models import DECLINE_GUIDANCE, DeclineReason, IntakeOutcome, Ticket
from hotline.tickets.services import attachment_add, ticket_create


def _lock_pending(request: OnlineRequest) -> OnlineRequest:
    locked = OnlineRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != OnlineRequest.State.PENDING:
        raise Conflict(
            _("This request is already %(state)s and cannot be reviewed again")
            % {"state": locked.get_state_display()}
        )
    return locked


def _contact(request: OnlineRequest, phone: str) -> dict[str, str]:
    """The citizen's contact on the ticket, each in its own field: the phone (the
    operator's, else the request's), the e-mail and the WeChat follower (issue 13)."""
    contact = {
        "phone": phone or request.phone,
        "email": request.email,
        "wechat_openid": request.wechat_openid,
    }
    if not any(contact.values()):
        raise DomainError(
            _(
                "This request has no contact that can be recorded; fill in a mobile number "
                "to accept it"
            ),
            code="no_contact",
        )
    return contact


def _files_to_ticket(actor, request: OnlineRequest, ticket: Ticket) -> None:
    for part in request.attachments.all():
        with part.file.open("rb") as handle:
            attachment_add(actor=actor, ticket=ticket, upload=File(handle, name=part.name))


def online_request_accept(
    *,
    actor,
    request: OnlineRequest,
    kind: str,
    summary: str = "",
    detail: str = "",
    place: str = "",
    name: str = "",
    phone: str = "",
    confidential: bool | None = None,
    urgency: str = "normal",
    region: Unit | None = None,
    topic: Topic | None = None,
    catalog_item: CatalogItem | None = None,
) -> Ticket:
    """Accept into a ticket, as is or with the operator's edits (受理审核, R-IN-1)."""
    require(actor, Capability.INTAKE)
    summary = text.clean(summary, label=_("request summary"), max_length=200)
    detail = text.clean(detail, label=_("request text"), max_length=20000)
    place = text.clean(place, label=_("place"), max_length=200)
    name = text.clean(name, label=_("citizen's name"), max_length=50)
    phone = text.check_phone(phone)
    with transaction.atomic():
        request = _lock_pending(request)
        contact = _contact(request, phone)
        edits = {
            field: value
            for field, value in (
                ("subject", summary),
                ("body", detail),
                ("place", place),
                ("name", name),
            )
            if value and value != getattr(request, field)
        }
        ticket = ticket_create(
            actor=actor,
            phone=contact["phone"],
            email=contact["email"],
            wechat_openid=contact["wechat_openid"],
            name=name or request.name,
            summary=summary or request.subject,
            detail=detail or request.body,
            address=place or request.place,
            kind=kind,
            channel=request.channel,
            urgency=urgency,
            confidential=request.confidential if confidential is None else confidential,
            region=region,
            topic=topic,
            catalog_item=catalog_item,
            intake_outcome=IntakeOutcome.DISPATCH,
        )
        _files_to_ticket(actor, request, ticket)
        request.state, request.ticket = OnlineRequest.State.ACCEPTED, ticket
        request.handled_by, request.handled_at = actor, clock.now()
        request.save(update_fields=["state", "ticket", "handled_by", "handled_at"])
        audit(
            kind="online_request_accepted",
            actor=actor,
            object_type="online_request",
            object_id=request.pk,
            ticket=ticket.number,
            edited=sorted(edits),
        )
        contact_notice(
            request,
            _("12345 hotline: request accepted, ticket number %(number)s")
            % {"number": ticket.number},
            _(
                "Your request (request number %(request)s) has been accepted, ticket number "
                "%(number)s. You can check its progress with the ticket number and your phone."
            )
            % {"request": request.number, "number": ticket.number},
            key=f"online:{request.pk}:accepted",
        )
        report_transfer(request, "accepted", number=ticket.number)
    return ticket


def online_request_merge(
    *, actor, request: OnlineRequest, into: Ticket, kind: str = "", note: str = ""
) -> Ticket:
    """A repeat of a matter in progress or completed: recorded by the intake service as not
    accepted for being a repeat, linked to the earlier ticket, whose progress the citizen
    is told (R-IN-4, ZS 13)."""
    require(actor, Capability.INTAKE)
    note = text.clean(note, label=_("review note"), max_length=500)
    with transaction.atomic():
        request = _lock_pending(request)
        contact = _contact(request, "")
        ticket = ticket_create(
            actor=actor,
            phone=contact["phone"],
            email=contact["email"],
            wechat_openid=contact["wechat_openid"],
            name=request.name,
            summary=request.subject,
            detail=request.body,
            address=request.place,
            kind=kind or request.kind or into.kind,
            channel=request.channel,
            confidential=request.confidential,
            intake_outcome=IntakeOutcome.DECLINE,
            decline_reason=DeclineReason.REPEAT,
            related_to=into,
        )
        request.state, request.ticket, request.merged_into = (
            OnlineRequest.State.MERGED,
            ticket,
            into,
        )
        request.handled_by, request.handled_at = actor, clock.now()
        request.save(update_fields=["state", "ticket", "merged_into", "handled_by", "handled_at"])
        audit(
            kind="online_request_merged",
            actor=actor,
            object_type="online_request",
            object_id=request.pk,
            ticket=ticket.number,
            into=into.number,
            note=note,
        )
        contact_notice(
            request,
            _("12345 hotline: your request joins ticket %(number)s") % {"number": into.number},
            _(
                "Your request (request number %(request)s) is about the same matter as ticket "
                "%(number)s and is handled with it; now: %(state)s."
            )
            % {
                "request": request.number,
                "number": into.number,
                "state": into.get_status_display(),
            },
            key=f"online:{request.pk}:merged",
        )
        report_transfer(
            request,
            "accepted",
            number=into.number,
            result=_("Handled together with an existing ticket"),
        )
    return ticket


def online_request_decline(
    *, actor, request: OnlineRequest, reason: str, code: str = ""
) -> OnlineRequest:
    """Not accepted, with the reason the citizen is told (R-IN-4, ZS 14); `code` adds the
    guidance of one of the intake's reasons (emergency, other city, ...)."""
    require(actor, Capability.INTAKE)
    reason = text.clean(reason, label=_("reason for not accepting"), max_length=500, required=True)
    if code and code not in DeclineReason.values:
        raise DomainError(_("Unknown reason for not accepting"), code="invalid_reason")
    guidance = DECLINE_GUIDANCE.get(code, "")
    with transaction.atomic():
        request = _lock_pending(request)
        request.state = OnlineRequest.State.DECLINED
        request.decline_reason = reason
        request.handled_by, request.handled_at = actor, clock.now()
        request.save(update_fields=["state", "decline_reason", "handled_by", "handled_at"])
        audit(
            kind="online_request_declined",
            actor=actor,
            object_type="online_request",
            object_id=request.pk,
            reason=reason,
            code=code,
        )
        contact_notice(
            request,
            _("12345 hotline: request not accepted"),
            _("Your request (request number %(request)s) was not accepted. Reason: %(reason)s")
            % {"request": request.number, "reason": reason}
            + (f" {guidance}" if guidance else ""),
            key=f"online:{request.pk}:declined",
        )
        report_transfer(request, "declined", result=reason)
    return request
