"""Hotline-to-hotline transfer (ZS 24, R-IN-1 "transferred in", R-IN-4).

A matter of another city goes to that city's hotline through its API with the ticket's
public content (kind, summary, detail, place, the citizen's name and phone, the
confidentiality flag; never notes, events, evidence or staff names). The partner's
acceptance and final result come back as status messages and are written on our ticket;
a transfer in waits in the online queue (channel "transfer") and, once reviewed here,
its acceptance, decline and final result go back the same way.

Every message is a signed POST (webhooks.sign with the partner's shared key; the sender
names itself in X-Hotline-Partner) queued in `PartnerCall` and delivered by the tick
with retries, so a partner that is down loses nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from hotline.accounts.permissions import Capability, can
from hotline.channels import services, text, webhooks
from hotline.channels.models import OnlineRequest, Partner, PartnerCall, Transfer
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.core.models import audit
from hotline.tickets.models import Attachment, Ticket, TicketChannel
from hotline.tickets.services import attachment_add, ticket_annotate

log = logging.getLogger(__name__)
FILES = "attachment_ids"  # in a queued payload: expanded to "attachments" when sent
MAX_FILES = 10
MAX_FILE_BYTES = 7 * 1024 * 1024  # per message, before base64 (fits the 10 MB body limit)
PARTNER_HEADER = "X-Hotline-Partner"
MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)
STATUS_WORDS: dict[str, Any] = {
    Transfer.State.ACCEPTED: _l("accepted it"),
    Transfer.State.DECLINED: _l("did not accept it"),
    Transfer.State.COMPLETED: _l("completed it"),
}


def _call(partner: Partner, path: str, payload: dict, key: str) -> PartnerCall:
    call, _made = PartnerCall.objects.get_or_create(
        key=key, defaults={"partner": partner, "path": path, "payload": payload}
    )
    return call


def public_content(ticket: Ticket) -> dict:
    """What a partner receives: the matter and how to reach the citizen, nothing internal."""
    return {
        "number": ticket.number,
        "kind": ticket.kind,
        "summary": ticket.summary,
        "detail": ticket.detail,
        "address": ticket.address,
        "name": ticket.citizen.name,
        "phone": ticket.citizen.phone,
        "email": ticket.citizen.email,
        "confidential": ticket.confidential,
        "received_at": ticket.received_at.isoformat(),
        FILES: public_files(ticket),
    }


def public_files(ticket: Ticket, *, skip: frozenset[tuple[str, int]] = frozenset()) -> list[int]:
    """The ticket's files a partner may have: never complaint evidence (KM 19), at most
    MAX_FILES and MAX_FILE_BYTES in all; `skip` leaves out (name, size) already theirs."""
    chosen: list[int] = []
    total = 0
    for pk, name, size in ticket.attachments.filter(evidence=False).values_list(
        "pk", "name", "size"
    ):
        if (name, size) in skip or len(chosen) >= MAX_FILES or total + size > MAX_FILE_BYTES:
            continue
        chosen.append(pk)
        total += size
    return chosen


def _expand_files(payload: dict) -> dict:
    """At delivery: the listed attachments' bytes, base64 in the JSON body."""
    ids = payload.get(FILES) or []
    if not ids:
        return payload
    files = []
    for part in Attachment.objects.filter(pk__in=ids, evidence=False).order_by("pk"):
        with part.file.open("rb") as handle:
            data = base64.b64encode(handle.read()).decode("ascii")
        files.append({"name": part.name, "content_type": part.content_type, "data": data})
    return {**{k: v for k, v in payload.items() if k != FILES}, "attachments": files}


def received_files(data: dict) -> tuple[list[ContentFile], list[dict]]:
    """A partner's attachments as uploads (checked later like any upload), and the ones
    that could not be read, with the reason."""
    parts = data.get("attachments") or []
    if not isinstance(parts, list):
        raise DomainError(_("attachments must be a list"), code="invalid_type")
    uploads: list[ContentFile] = []
    dropped: list[dict] = []
    for part in parts[: MAX_FILES * 2]:
        name = text.scrub(str(part.get("name", "") if isinstance(part, dict) else ""))[:200]
        try:
            raw = base64.b64decode(str(part.get("data", "")), validate=True)
        except (AttributeError, ValueError, binascii.Error):
            reason = _("The attachment could not be read")
            dropped.append({"name": name or _("attachment"), "reason": reason})
            continue
        uploads.append(ContentFile(raw, name=name or _("attachment")))
    return uploads, dropped


def transfer_out(*, actor, ticket: Ticket, partner: Partner, note: str = "") -> Transfer:
    """Send a matter of another city to that city's hotline (ZS 24)."""
    if not (can(actor, Capability.INTAKE) or can(actor, Capability.DISPATCH)):
        raise PermissionDenied(_("Only operators and dispatchers can transfer"))
    if not partner.active:
        raise DomainError(_("This partner hotline is no longer active"))
    note = text.clean(note, label=_("transfer note"), max_length=500)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("citizen").get(pk=ticket.pk)
        if Transfer.objects.filter(
            direction=Transfer.Direction.OUT,
            ticket=ticket,
            partner=partner,
            state__in=[Transfer.State.SENT, Transfer.State.ACCEPTED],
        ).exists():
            raise Conflict(_("This ticket is already with %(partner)s") % {"partner": partner.name})
        made = Transfer.objects.create(
            direction=Transfer.Direction.OUT,
            partner=partner,
            ticket=ticket,
            state=Transfer.State.SENT,
        )
        payload = {"id": f"T{made.pk}", **public_content(ticket), "note": note}
        _call(partner, "transfers/", payload, key=f"transfer:{made.pk}")
        ticket_annotate(
            actor=actor,
            ticket=ticket,
            text=(
                _("Transferred to %(partner)s. %(note)s") % {"partner": partner.name, "note": note}
            ).strip(),
        )
        audit(
            kind="transfer_out",
            actor=actor,
            object_type="ticket",
            object_id=ticket.pk,
            partner=partner.code,
        )
    return made


def report_back(*, request: OnlineRequest, state: str, number: str = "", result: str = "") -> None:
    """A transfer in was accepted, declined or completed here: tell the partner it came
    from (called inside the caller's transaction)."""
    made = Transfer.objects.filter(request=request, direction=Transfer.Direction.IN).first()
    if made is None:
        return
    made.state, made.result, made.updated_at = state, result, clock.now()
    made.save(update_fields=["state", "result", "updated_at"])
    payload: dict[str, object] = {
        "id": f"S{made.pk}-{state}",
        "transfer": made.remote_id,
        "status": state,
        "number": number,
        "text": result,
    }
    if state == Transfer.State.COMPLETED and request.ticket is not None:
        # The result's public files go back; not the ones that came from the partner.
        theirs = frozenset(request.attachments.values_list("name", "size"))
        payload[FILES] = public_files(request.ticket, skip=theirs)
    _call(made.partner, "transfers/status/", payload, key=f"status:{made.pk}:{state}")


# --- receiving ---------------------------------------------------------------------------


def _field(data: dict, name: str, label: str, limit: int, required: bool = False) -> str:
    return text.clean(data.get(name), label=label, max_length=limit, required=required)


def transfer_receive(*, partner: Partner, data: dict) -> dict:
    """A transfer in: it waits in the online queue as channel "transfer"."""
    remote_id = _field(data, "id", _("transfer number"), 64, required=True)
    confidential = data.get("confidential", False)
    if not isinstance(confidential, bool):
        raise DomainError(_("confidential must be true or false"), code="invalid_type")
    uploads, unreadable = received_files(data)
    request = services.online_request_create(
        channel=TicketChannel.TRANSFER,
        external_id=f"{partner.code}:{remote_id}",
        subject=_field(data, "summary", _("request summary"), 200, required=True),
        body=_field(data, "detail", _("request text"), 20000)
        or _field(data, "summary", _("request summary"), 200),
        place=_field(data, "address", _("place"), 200),
        name=_field(data, "name", _("citizen's name"), 50),
        phone=_field(data, "phone", _("mobile phone"), 32),
        email=_field(data, "email", _("e-mail address"), 254),
        kind=_field(data, "kind", _("kind of request"), 16),
        confidential=confidential,
        files=uploads,
        dropped=unreadable,
    )
    made, _made = Transfer.objects.get_or_create(
        direction=Transfer.Direction.IN,
        partner=partner,
        remote_id=remote_id,
        defaults={
            "request": request,
            "state": Transfer.State.RECEIVED,
            "remote_number": _field(data, "number", _("partner's ticket number"), 32),
        },
    )
    return {"id": f"T{made.pk}", "number": request.number}


def transfer_status_receive(*, partner: Partner, data: dict) -> dict:
    """The partner accepted, declined or completed a matter we sent: written on our ticket."""
    ref = _field(data, "transfer", _("transfer number"), 64, required=True)
    status = _field(data, "status", _("state"), 16, required=True)
    if status not in STATUS_WORDS:
        raise DomainError(_("Unknown transfer state"), code="invalid_status")
    number = _field(data, "number", _("ticket number"), 32)
    result = _field(data, "text", _("handling result"), 20000)
    pk = ref[1:] if ref.startswith("T") else ""
    made = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(
            direction=Transfer.Direction.OUT, partner=partner, pk=int(pk) if pk.isdigit() else 0
        )
        .first()
    )
    if made is None or made.ticket is None:
        raise DomainError(_("No such transfer"), code="not_found")
    made.state, made.updated_at = status, clock.now()
    made.remote_number = number or made.remote_number
    made.result = result or made.result
    made.save(update_fields=["state", "updated_at", "remote_number", "result"])
    line = _("%(partner)s %(state)s") % {"partner": partner.name, "state": STATUS_WORDS[status]}
    if made.remote_number:
        line += _(" (their ticket number %(number)s)") % {"number": made.remote_number}
    if result:
        line += _(": %(result)s") % {"result": result}
    robot = services.channel_robot()
    ticket_annotate(actor=robot, ticket=made.ticket, text=line)
    uploads, unreadable = received_files(data)
    for upload in uploads:
        try:
            attachment_add(actor=robot, ticket=made.ticket, upload=upload)
        except DomainError as exc:
            unreadable.append({"name": upload.name, "reason": exc.message})
    if unreadable:
        dropped = "；".join(f"{d['name']}：{d['reason']}" for d in unreadable)
        ticket_annotate(
            actor=robot,
            ticket=made.ticket,
            text=_("Attachments from %(partner)s not kept (%(dropped)s)")
            % {"partner": partner.name, "dropped": dropped},
        )
    return {"status": "ok", "attachments": len(uploads) - len(unreadable)}


# --- delivering ---------------------------------------------------------------------------


def _post(partner: Partner, path: str, payload: dict) -> tuple[int, dict]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        partner.url.rstrip("/") + "/" + path,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            PARTNER_HEADER: settings.HOTLINE_PARTNER_CODE,
            webhooks.TIMESTAMP_HEADER: stamp,
            webhooks.SIGNATURE_HEADER: webhooks.sign(partner.key, stamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read() or b"{}")
        except ValueError:
            detail = {}
        return exc.code, detail


def deliver_due(*, limit: int = 50) -> dict[str, int]:
    """The tick's job: send due partner calls; each row claimed by a conditional UPDATE."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = clock.now()
    due = PartnerCall.objects.filter(
        state=PartnerCall.State.PENDING, next_attempt_at__lte=now
    ).values_list("pk", "next_attempt_at")[:limit]
    for pk, at in list(due):
        if not PartnerCall.objects.filter(pk=pk, next_attempt_at=at).update(
            next_attempt_at=now + CLAIM
        ):
            continue  # another worker took it
        call = PartnerCall.objects.select_related("partner").get(pk=pk)
        try:
            status, answer = _post(call.partner, call.path, _expand_files(call.payload))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            status, answer = 0, {"error": {"message": str(exc)}}
        call.attempts += 1
        if 200 <= status < 300 or (
            status == 409 and answer.get("error", {}).get("code") == "replay"
        ):
            call.state, call.response, call.last_error = PartnerCall.State.SENT, answer, ""
            counts["sent"] += 1
            _delivered(call)
        else:
            call.last_error = f"{status}: {json.dumps(answer, ensure_ascii=False)[:500]}"
            if call.attempts >= MAX_ATTEMPTS or (400 <= status < 500 and status != 429):
                call.state = PartnerCall.State.FAILED
                counts["failed"] += 1
                log.warning("partner call %s given up: %s", call.key, call.last_error)
            else:
                call.next_attempt_at = now + timedelta(minutes=2 ** min(call.attempts, 8))
                counts["retry"] += 1
        call.save()
    return counts


def _delivered(call: PartnerCall) -> None:
    """The partner's answer to a transfer names its number for the matter."""
    if call.key.startswith("transfer:") and call.response.get("number"):
        Transfer.objects.filter(pk=int(call.key.split(":")[1])).update(
            remote_number=str(call.response["number"])[:32]
        )
