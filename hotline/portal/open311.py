"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the hotline: the topic
tree's active leaves are the services, a POST becomes an online request (channel app) in
the operators' queue, GET shows tickets' public progress. JSON and XML, errors as the
spec's list of {code, description}. The mapping is docs/decisions/0012."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.channels import progress, text
from hotline.channels.models import OnlineRequest
from hotline.channels.services import online_request_create
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.models import audit
from hotline.directory.models import Topic
from hotline.portal.models import Open311App, Open311Request
from hotline.tickets.models import Ticket, TicketChannel
from hotline.tickets.states import Status

CLOSED = frozenset({Status.COMPLETED, Status.CLOSED, Status.DECLINED, Status.MERGED})
MAX_RESULTS = 200
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


# ---- keys -------------------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def open311_key_issue(*, actor, name: str) -> tuple[Open311App, str]:
    """Issue an app's key: returned once, stored as its SHA-256 only."""
    if actor is not None:  # None: the `hotline open311-key` command run on the server
        require(actor, Capability.MANAGE)
    name = text.clean(name, label=_("app name"), max_length=100, required=True)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Open311App.objects.filter(name=name).exists():
            raise DomainError(
                _("The app “%(name)s” already has a key") % {"name": name}, code="exists"
            )
        app = Open311App.objects.create(
            name=name, key_hash=key_hash(key), key_prefix=key[:6], created_by=actor
        )
        audit(kind="open311_key_issued", actor=actor, object_type="open311_app", object_id=app.pk)
    return app, key


def open311_key_revoke(*, actor, app: Open311App) -> Open311App:
    require(actor, Capability.MANAGE)
    with transaction.atomic():
        app.active = False
        app.save(update_fields=["active"])
        audit(kind="open311_key_revoked", actor=actor, object_type="open311_app", object_id=app.pk)
    return app


def app_for_key(key: object) -> Open311App:
    if not isinstance(key, str) or not key or len(key) > 200:
        raise Open311Error(403, "api_key missing or invalid")
    app = Open311App.objects.filter(key_hash=key_hash(key), active=True).first()
    if app is None:
        raise Open311Error(403, "api_key missing or invalid")
    return app


# ---- services ---------------------------------------------------------------------------


def services() -> list[dict[str, Any]]:
    leaves = (
        Topic.objects.filter(active=True, children__isnull=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )
    return [_service(t) for t in leaves]


def _service(topic: Topic) -> dict[str, Any]:
    return {
        "service_code": topic.code,
        "service_name": topic.name,
        "description": topic.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": topic.parent.name if topic.parent else "",
    }


def service_topic(code: object) -> Topic:
    if not isinstance(code, str) or not code or len(code) > 32:
        raise Open311Error(400, "service_code missing or invalid")
    topic = Topic.objects.filter(code=code, active=True, children__isnull=True).first()
    if topic is None:
        raise Open311Error(404, f"service_code {code} not found")
    return topic


def service_definition(code: str) -> dict[str, Any]:
    service_topic(code)
    return {"service_code": code, "attributes": []}


# ---- requests ---------------------------------------------------------------------------


def request_post(*, app: Open311App, data: dict[str, str]) -> dict[str, Any]:
    """POST Service Request: one online request (channel app) for review."""
    topic = service_topic(data.get("service_code"))
    try:
        place = text.clean(data.get("address_string", ""), label="address_string", max_length=200)
        lat, lon = data.get("lat", ""), data.get("long", "")
        if not place and lat and lon:
            place = f"{float(lat):.6f},{float(lon):.6f}"
        if not place:
            raise Open311Error(400, "a location is required: address_string or lat and long")
        name = " ".join(
            text.clean(data.get(k, ""), label=k, max_length=24) for k in ("last_name", "first_name")
        ).strip()
        with transaction.atomic():
            online = online_request_create(
                channel=TicketChannel.APP,
                subject=topic.name,
                body=text.clean(
                    data.get("description", ""), label="description", max_length=4000, required=True
                ),
                place=place,
                name=name,
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                reply_channel="sms" if data.get("phone") else "email",
            )
            Open311Request.objects.create(app=app, request=online)
    except ValueError:
        raise Open311Error(400, "lat and long must be numbers") from None
    except DomainError as exc:
        raise Open311Error(400, exc.message) from None
    return {
        "service_request_id": online.number,
        "service_notice": _("Received; once the hotline accepts it, it goes to the unit in charge"),
        "account_id": None,
    }


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _ticket_row(ticket: Ticket) -> dict[str, Any]:
    steps = progress.ticket_steps(ticket)
    last = steps[-1] if steps else None
    lead = ticket.lead
    topic = ticket.topic
    return {
        "service_request_id": ticket.number,
        "status": "closed" if ticket.status in CLOSED else "open",
        "status_notes": f"{last.title}。{last.detail}".rstrip("。") if last else "",
        "service_name": topic.name if topic else "",
        "service_code": topic.code if topic else "",
        "description": ticket.summary,
        "agency_responsible": lead.unit.name if lead else "",
        "service_notice": "",
        "requested_datetime": _iso(ticket.received_at),
        "updated_datetime": _iso(last.at if last else ticket.received_at),
        "expected_datetime": _iso(lead.reply_due if lead else None),
        "address": ticket.address,
        "address_id": None,
        "zipcode": None,
        "lat": float(ticket.latitude) if ticket.latitude is not None else None,
        "long": float(ticket.longitude) if ticket.longitude is not None else None,
        "media_url": None,
    }


def _pending_row(online: OnlineRequest) -> dict[str, Any]:
    closed = online.state in (OnlineRequest.State.DECLINED, OnlineRequest.State.MERGED)
    steps = progress.request_steps(online)
    return {
        "service_request_id": online.number,
        "status": "closed" if closed else "open",
        "status_notes": f"{steps[-1].title}。{steps[-1].detail}".rstrip("。"),
        "service_name": online.subject,
        "service_code": "",
        "description": "",
        "agency_responsible": "",
        "service_notice": "",
        "requested_datetime": _iso(online.received_at),
        "updated_datetime": _iso(online.handled_at or online.received_at),
        "expected_datetime": None,
        "address": "",
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _public() -> Any:
    """Confidential tickets are not published (their existence included)."""
    return (
        Ticket.objects.filter(confidential=False)
        .select_related("topic")
        .prefetch_related("assignments__unit")
    )


def request_one(request_id: object) -> dict[str, Any]:
    number = request_id.strip().upper() if isinstance(request_id, str) else ""
    if not number or len(number) > 32:
        raise Open311Error(404, "service_request_id not found")
    ticket = _public().filter(number=number).first()
    if ticket is not None:
        return _ticket_row(ticket)
    online = OnlineRequest.objects.filter(number=number, open311__isnull=False).first()
    if online is None:
        raise Open311Error(404, "service_request_id not found")
    if online.ticket is not None:
        if online.ticket.confidential:
            raise Open311Error(404, "service_request_id not found")
        row = _ticket_row(online.ticket)
        row["service_request_id"] = online.number
        return row
    return _pending_row(online)


def _when(value: str, name: str) -> datetime:
    moment = parse_datetime(value) if len(value) <= 40 else None
    if moment is None:
        raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2026-12-04T09:00:00+08:00")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def request_list(params: dict[str, str]) -> list[dict[str, Any]]:
    ids = params.get("service_request_id", "")
    if ids:
        rows = []
        for one in ids.split(",")[:MAX_RESULTS]:
            try:
                rows.append(request_one(one))
            except Open311Error:
                continue
        return rows
    end = _when(params["end_date"], "end_date") if params.get("end_date") else clock.now()
    start = (
        _when(params["start_date"], "start_date")
        if params.get("start_date")
        else end - timedelta(days=DEFAULT_DAYS)
    )
    tickets = _public().filter(received_at__gte=start, received_at__lte=end)
    status = params.get("status", "")
    if status:
        wanted = set(status.split(","))
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if wanted == {"open"}:
            tickets = tickets.exclude(status__in=CLOSED)
        elif wanted == {"closed"}:
            tickets = tickets.filter(status__in=CLOSED)
    codes = params.get("service_code", "")
    if codes:
        tickets = tickets.filter(topic__code__in=codes.split(","))
    return [_ticket_row(t) for t in tickets.order_by("-received_at", "-id")[:MAX_RESULTS]]


# ---- XML --------------------------------------------------------------------------------


def to_xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        node = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(node, key)
            if isinstance(value, list):
                for part in value:
                    sub = ET.SubElement(child, "attribute")
                    for k, v in part.items():
                        ET.SubElement(sub, k).text = str(v)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode").encode()
