"""Steps of the two-server transfer test, each run inside one server's data directory by
`hotline shell -c` (a separate process and database per city). Each prints JSON."""

from __future__ import annotations

import json

from django.core.files.base import ContentFile

from hotline.accounts.models import User
from hotline.channels import progress, transfers
from hotline.channels.models import OnlineRequest, Partner, PartnerCall, Transfer
from hotline.channels.services import online_request_accept
from hotline.directory.models import Unit
from hotline.tickets import services as ts
from hotline.tickets.models import Assignment, Reply, Ticket

SECRET_NOTE = "内部备注：来电人情绪激动，注意沟通"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256


def _user(name: str) -> User:
    return User.objects.get(username=name)


def send_out(partner_code: str) -> None:
    """City A: a matter of city B, declined here as other-city, transferred to B."""
    operator = _user("operator1")
    ticket = ts.ticket_create(
        actor=operator,
        phone="13800009999",
        name="王五",
        summary="乙市高速服务区收费不合理",
        detail="在乙市境内服务区加油被多收费用",
        address="乙市北环服务区",
        kind="complaint",
        intake_outcome="decline",
        decline_reason="other_city",
    )
    ts.ticket_annotate(actor=operator, ticket=ticket, text=SECRET_NOTE)
    ts.attachment_add(actor=operator, ticket=ticket, upload=ContentFile(PNG, name="收据.png"))
    evidence = ContentFile(b"recording notes", name="evidence.txt")
    ts.attachment_add(actor=operator, ticket=ticket, upload=evidence, evidence=True)
    made = transfers.transfer_out(
        actor=operator, ticket=ticket, partner=Partner.objects.get(code=partner_code)
    )
    print(json.dumps({"ticket": ticket.number, "transfer": made.pk, **transfers.deliver_due()}))


def accept_in() -> None:
    """City B: the operator accepts the transfer from the online queue."""
    request = OnlineRequest.objects.get(channel="transfer")
    ticket = online_request_accept(actor=_user("operator1"), request=request, kind="complaint")
    print(
        json.dumps(
            {
                "number": ticket.number,
                "channel": ticket.channel,
                "summary": ticket.summary,
                "detail": ticket.detail,
                "phone": ticket.citizen.phone,
                "files": sorted(ticket.attachments.values_list("name", flat=True)),
                **transfers.deliver_due(),
            },
            ensure_ascii=False,
        )
    )


def complete_in() -> None:
    """City B: the ticket is handled and completed; the result goes back."""
    ticket = Ticket.objects.get(channel="transfer")
    ts.ticket_dispatch(
        actor=_user("dispatcher1"), ticket=ticket, lead=Unit.objects.get(code="QX-ZJJ")
    )
    lead = ticket.assignments.get(role=Assignment.Role.LEAD, active=True)
    clerk = User.objects.filter(unit=lead.unit, role="unit_clerk").first()
    leader = User.objects.filter(unit=lead.unit, role="unit_leader").first()
    ts.assignment_sign(actor=clerk, assignment=lead)
    ts.attachment_add(actor=clerk, ticket=ticket, upload=ContentFile(PNG, name="退费凭证.png"))
    ts.reply_submit(actor=clerk, assignment=lead, text="已责令服务区退还多收费用", points=["退费"])
    reply = lead.replies.get(state=Reply.State.SUBMITTED)
    ts.reply_decide(actor=leader, reply=reply, approve=True)
    ts.completion_decide(actor=_user("dispatcher1"), ticket=ticket, approve=True)
    notices = progress.send_notices()
    delivered = transfers.deliver_due()
    errors = list(PartnerCall.objects.exclude(state="sent").values_list("key", "last_error"))
    print(json.dumps({**delivered, "notices": notices, "errors": errors}, ensure_ascii=False))


def show_out() -> None:
    """City A: where the transfer stands and what the ticket's log says."""
    made = Transfer.objects.get(direction="out")
    notes = [e.data.get("text", "") for e in made.ticket.events.filter(kind="annotated")]
    print(
        json.dumps(
            {
                "state": made.state,
                "remote": made.remote_number,
                "result": made.result,
                "notes": notes,
                "files": sorted(made.ticket.attachments.values_list("name", flat=True)),
            },
            ensure_ascii=False,
        )
    )


def show_in() -> None:
    request = OnlineRequest.objects.get(channel="transfer")
    files = [(a.name, a.file.read()[:8].hex()) for a in request.attachments.all()]
    print(
        json.dumps(
            {"body": request.body, "subject": request.subject, "files": files},
            ensure_ascii=False,
        )
    )
