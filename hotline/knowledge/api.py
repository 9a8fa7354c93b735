"""The knowledge base's JSON API (R-KB): search, figures and CRUD for the units' own
systems, through the same selectors and services as the pages. Mounted at /api/knowledge."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from hotline.accounts.permissions import Capability, require
from hotline.core.errors import DomainError, NotFound
from hotline.directory.models import Topic, Unit
from hotline.directory.selectors import unit_by_code
from hotline.knowledge import selectors, services
from hotline.knowledge.models import Entry, EntryVersion

router = Router(tags=["knowledge"])


class HitOut(Schema):
    entry_id: int
    version_id: int
    version: int
    kind: str
    title: str
    owner: str
    snippet: str
    title_html: str
    snippet_html: str
    score: float
    unreleased: bool
    valid: bool


class EntryIn(Schema):
    kind: str = "qa"
    owner: str = ""  # unit code
    title: str = ""
    answer: str = ""
    body: str = ""
    keywords: str = ""
    topic: str = ""  # topic code
    effective: date | None = None
    expires: date | None = None
    review_by: date | None = None
    release_on: date | None = None
    public_phone: str = ""
    service_hours: str = ""
    works_kind: str = ""
    works_region: str = ""  # unit code
    works_places: str = ""
    works_start: datetime | None = None
    works_end: datetime | None = None
    submit: bool = False
    note: str = ""


class EntryOut(Schema):
    id: int
    kind: str
    owner: str
    status: str
    version: int
    version_id: int
    published_version_id: int | None
    title: str
    answer: str
    body: str
    keywords: str
    effective: date
    expires: date | None
    review_by: date | None
    release_on: date | None


class ReasonIn(Schema):
    reason: str = ""


def _unit(code: str, field: str) -> Unit | None:
    if not code:
        return None
    unit = unit_by_code(code)
    if unit is None:
        raise DomainError(
            _("No unit has the code %(code)s.") % {"code": code}, code=f"invalid_{field}"
        )
    return unit


def _content(data: EntryIn) -> services.Content:
    topic = None
    if data.topic:
        topic = Topic.objects.filter(code=data.topic).first()
        if topic is None:
            raise DomainError(
                _("No topic has the code %(code)s.") % {"code": data.topic}, code="invalid_topic"
            )
    return services.Content(
        title=data.title,
        answer=data.answer,
        body=data.body,
        keywords=data.keywords,
        topic=topic,
        effective=data.effective,
        expires=data.expires,
        review_by=data.review_by,
        release_on=data.release_on,
        public_phone=data.public_phone,
        service_hours=data.service_hours,
        works_kind=data.works_kind,
        works_region=_unit(data.works_region, "works_region"),
        works_places=data.works_places,
        works_start=data.works_start,
        works_end=data.works_end,
    )


def _out(entry: Entry) -> dict:
    v: EntryVersion = entry.latest_version  # type: ignore[assignment]
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "owner": entry.owner.code,
        "status": entry.status,
        "version": v.number,
        "version_id": v.pk,
        "published_version_id": entry.published_version_id,
        "title": v.title,
        "answer": v.answer,
        "body": v.body,
        "keywords": v.keywords,
        "effective": v.effective,
        "expires": v.expires,
        "review_by": v.review_by,
        "release_on": v.release_on,
    }


def _entry(request: HttpRequest, pk: int) -> Entry:
    require(request.user, Capability.VIEW_KNOWLEDGE)
    entry = (
        Entry.objects.visible_to(request.user)
        .select_related("owner", "latest_version")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise NotFound(_("No such entry."))
    return entry


@router.get("/search", response=list[HitOut])
def search(request: HttpRequest, q: str = "", on: date | None = None, limit: int = 10):
    """Ranked published entries for a question; with `on`, only those valid that day."""
    require(request.user, Capability.VIEW_KNOWLEDGE)
    if len(q) > 1000:
        raise DomainError(_("The question is longer than 1000 characters."), code="query_too_long")
    results = selectors.search(request.user, q, on=on, limit=max(1, min(limit, 50)))
    return [
        {
            "entry_id": r.entry.pk,
            "version_id": r.version.pk,
            "version": r.version.number,
            "kind": r.entry.kind,
            "title": r.version.title,
            "owner": r.entry.owner.code,
            "snippet": selectors.snippet(r.version.answer, []),
            "title_html": str(r.title_html),
            "snippet_html": str(r.snippet_html),
            "score": r.score,
            "unreleased": r.unreleased,
            "valid": r.valid,
        }
        for r in results
    ]


@router.get("/figures")
def figures(request: HttpRequest, since: date | None = None, until: date | None = None):
    """Use and upkeep figures for the assessment (R-AS-2)."""
    require(request.user, Capability.VIEW_KNOWLEDGE)
    until = until or selectors.today()
    since = since or until.replace(day=1)
    if since > until:
        raise DomainError(_("The start date is after the end date."), code="invalid_period")
    return selectors.figures(since=since, until=until)


@router.get("/entries", response=list[EntryOut])
def entry_list(request: HttpRequest, status: str = "", kind: str = "", owner: str = ""):
    require(request.user, Capability.VIEW_KNOWLEDGE)
    rows = selectors.entries(request.user, status=status, kind=kind, owner=_unit(owner, "owner"))
    return [_out(e) for e in rows[:500]]


@router.get("/entries/{pk}", response=EntryOut)
def entry_get(request: HttpRequest, pk: int):
    require(request.user, Capability.VIEW_KNOWLEDGE)
    return _out(_entry(request, pk))


@router.post("/entries", response={201: EntryOut})
def entry_create(request: HttpRequest, data: EntryIn):
    entry = services.entry_create(
        actor=request.user,
        kind=data.kind,
        owner=_unit(data.owner, "owner"),
        content=_content(data),
        submit=data.submit,
    )
    return 201, _out(entry)


@router.put("/entries/{pk}", response=EntryOut)
def entry_update(request: HttpRequest, pk: int, data: EntryIn):
    entry = services.entry_edit(
        actor=request.user, entry=_entry(request, pk), content=_content(data), note=data.note
    )
    if data.submit:
        entry = services.entry_submit(actor=request.user, entry=entry)
    return _out(entry)


@router.delete("/entries/{pk}", response=EntryOut)
def entry_delete(request: HttpRequest, pk: int):
    return _out(services.entry_withdraw(actor=request.user, entry=_entry(request, pk)))


@router.post("/entries/{pk}/submit", response=EntryOut)
def entry_submit(request: HttpRequest, pk: int):
    return _out(services.entry_submit(actor=request.user, entry=_entry(request, pk)))


@router.post("/entries/{pk}/approve", response=EntryOut)
def entry_approve(request: HttpRequest, pk: int):
    return _out(services.entry_approve(actor=request.user, entry=_entry(request, pk)))


@router.post("/entries/{pk}/return", response=EntryOut)
def entry_return(request: HttpRequest, pk: int, data: ReasonIn):
    return _out(
        services.entry_return(actor=request.user, entry=_entry(request, pk), reason=data.reason)
    )


@router.post("/entries/{pk}/report", response={201: dict})
def entry_report(request: HttpRequest, pk: int, data: ReasonIn):
    report = services.error_report(
        actor=request.user, entry=_entry(request, pk), reason=data.reason
    )
    return 201, {"id": report.pk, "due_at": report.due_at.isoformat()}
