"""Every write of the knowledge base (R-KB, ZS 34–35; R-HM-1, R-HM-2).

A unit drafts and submits its entries; the hotline approves (publishes) or returns them
with a reason. Every edit is a new version; an approval publishes the latest one and
marks the open error reports corrected. Each function checks permission and state in
one transaction and appends one `EntryEvent`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import nh3
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.dates import local_moment
from hotline.core.errors import Conflict, DomainError, NotFound
from hotline.directory.models import Topic, Unit, split_keywords
from hotline.knowledge import policy, ranking

# The content and its checks live in knowledge.content; still importable from here.
from hotline.knowledge.content import (  # noqa: F401
    UNSAFE_HTML,
    Content,
    check_content,
    sanitize_body,
)
from hotline.knowledge.models import (
    Entry,
    EntryAttachment,
    EntryEvent,
    EntryUse,
    EntryVersion,
    ErrorReport,
    Kind,
    Status,
)
from hotline.knowledge.permissions import require_edit


def _topic_path(topic: Topic | None) -> str:
    names = []
    while topic is not None:
        names.append(topic.name)
        topic = topic.parent
    return " ".join(reversed(names))


def _version(entry: Entry, c: Content, actor, note: str = "") -> EntryVersion:
    body = sanitize_body(c.body)
    number = (entry.current.number if entry.latest_version else 0) + 1
    keywords = "、".join(split_keywords(c.keywords))
    searchable_title = f"{c.title} {keywords}"
    searchable_body = f"{c.answer}\n{nh3.clean(body, tags=set())}\n{c.works_places}"
    if c.works_region is not None:
        searchable_body += f"\n{c.works_region.name}"
    assert c.effective is not None  # check_content() refused it otherwise
    version = EntryVersion.objects.create(
        entry=entry,
        number=number,
        title=c.title.strip(),
        answer=c.answer.strip(),
        body=body,
        keywords=keywords,
        topic=c.topic,
        effective=c.effective,
        expires=c.expires,
        review_by=c.review_by or c.effective + timedelta(days=policy.DEFAULT_REVIEW_DAYS),
        release_on=c.release_on,
        public_phone=c.public_phone.strip(),
        service_hours=c.service_hours.strip(),
        works_kind=c.works_kind,
        works_region=c.works_region,
        works_places=c.works_places.strip(),
        works_start=c.works_start,
        works_end=c.works_end,
        note=note[:300],
        index_text=ranking.index_text(searchable_title, searchable_body, _topic_path(c.topic)),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    entry.latest_version = version
    return version


def _event(entry: Entry, kind: str, actor, version: int | None = None, **data: Any) -> None:
    EntryEvent.objects.create(
        entry=entry,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        version_number=version,
        data=data,
    )


def _locked(entry: Entry) -> Entry:
    try:
        return Entry.objects.select_for_update().select_related("owner").get(pk=entry.pk)
    except Entry.DoesNotExist:
        raise NotFound(_("No such entry.")) from None


def _refuse(errors: list[str]) -> None:
    if errors:
        raise DomainError("；".join(errors), code="invalid_entry")


def entry_create(
    *, actor, kind: str, owner: Unit | None, content: Content, submit: bool = False
) -> Entry:
    """A unit's new draft (submitted at once with `submit`)."""
    _refuse(check_content(kind, owner, content))
    assert owner is not None
    require_edit(actor, owner=owner)
    with transaction.atomic():
        now = clock.now()
        entry = Entry.objects.create(
            kind=kind, owner=owner, created_by=actor, created_at=now, updated_at=now
        )
        version = _version(entry, content, actor)
        entry.status = Status.SUBMITTED if submit else Status.DRAFT
        entry.save(update_fields=["latest_version", "status"])
        _event(entry, "created", actor, version.number, submitted=submit)
    return entry


def entry_edit(*, actor, entry: Entry, content: Content, note: str = "") -> Entry:
    """A new version; a published entry stays published in its old words until the new
    version is approved."""
    with transaction.atomic():
        entry = _locked(entry)
        require_edit(actor, entry)
        if entry.status == Status.WITHDRAWN:
            raise Conflict(_("The entry was withdrawn."))
        _refuse(check_content(entry.kind, entry.owner, content))
        version = _version(entry, content, actor, note)
        entry.status = Status.DRAFT
        entry.updated_at = clock.now()
        entry.save(update_fields=["latest_version", "status", "updated_at"])
        _event(entry, "edited", actor, version.number, note=note)
    return entry


def entry_submit(*, actor, entry: Entry) -> Entry:
    with transaction.atomic():
        entry = _locked(entry)
        require_edit(actor, entry)
        if entry.status not in (Status.DRAFT, Status.RETURNED):
            raise Conflict(_("Only a draft or a returned entry can be submitted."))
        entry.status = Status.SUBMITTED
        entry.updated_at = clock.now()
        entry.save(update_fields=["status", "updated_at"])
        _event(entry, "submitted", actor, entry.current.number)
    return entry


def _publish(entry: Entry, actor, kind: str) -> None:
    version = entry.current
    now = clock.now()
    entry.status = Status.PUBLISHED
    entry.published_version = version
    entry.return_reason = ""
    entry.updated_at = now
    entry.save(
        update_fields=[
            "status",
            "latest_version",
            "published_version",
            "return_reason",
            "updated_at",
        ]
    )
    corrected = ErrorReport.objects.filter(entry=entry, corrected_at__isnull=True).update(
        corrected_at=now, corrected_version=version
    )
    _event(entry, kind, actor, version.number, corrected_reports=corrected)


def entry_approve(*, actor, entry: Entry) -> Entry:
    """The hotline publishes the submitted version (ZS 34); open error reports on the
    entry count as corrected now."""
    require(actor, Capability.REVIEW_KNOWLEDGE)
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted entry can be approved."))
        _publish(entry, actor, "approved")
    return entry


def entry_return(*, actor, entry: Entry, reason: str) -> Entry:
    require(actor, Capability.REVIEW_KNOWLEDGE)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the entry is returned."), code="invalid_entry")
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted entry can be returned."))
        entry.status = Status.RETURNED
        entry.return_reason = reason[:500]
        entry.updated_at = clock.now()
        entry.save(update_fields=["status", "return_reason", "updated_at"])
        _event(entry, "returned", actor, entry.current.number, reason=reason[:500])
    return entry


def entry_withdraw(*, actor, entry: Entry) -> Entry:
    """Take an entry off the base (the API's DELETE); its versions stay for the tickets
    that were answered from it."""
    with transaction.atomic():
        entry = _locked(entry)
        require_edit(actor, entry)
        if entry.status == Status.WITHDRAWN:
            raise Conflict(_("The entry was withdrawn."))
        entry.status = Status.WITHDRAWN
        entry.published_version = None
        entry.updated_at = clock.now()
        entry.save(update_fields=["status", "published_version", "updated_at"])
        _event(entry, "withdrawn", actor, entry.current.number)
    return entry


def script_publish_emergency(*, actor, owner: Unit, content: Content) -> Entry:
    """An emergency answer script, published by the hotline at once (ZS 34(三))."""
    require(actor, Capability.REVIEW_KNOWLEDGE)
    _refuse(check_content(Kind.SCRIPT, owner, content))
    with transaction.atomic():
        now = clock.now()
        entry = Entry.objects.create(
            kind=Kind.SCRIPT,
            owner=owner,
            emergency=True,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _version(entry, content, actor)
        _publish(entry, actor, "published_emergency")
    return entry


def check_attachment_size(size: int) -> None:
    if size > policy.MAX_ATTACHMENT_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": policy.MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            code="attachment_too_large",
        )


def attachment_add(
    *, actor, entry: Entry, name: str, data: bytes, official: bool = False
) -> EntryAttachment:
    """A file for the entry; `official` marks the official policy text (ZS 34(二))."""
    name = (name or "").strip().replace("/", "_").replace("\\", "_")[-200:]
    if not name:
        raise DomainError(_("The file has no name."), code="invalid_attachment")
    if not data:
        raise DomainError(_("The file is empty."), code="invalid_attachment")
    check_attachment_size(len(data))
    with transaction.atomic():
        entry = _locked(entry)
        require_edit(actor, entry)
        attachment = EntryAttachment(
            entry=entry,
            version_number=entry.current.number,
            name=name,
            size=len(data),
            official=official,
            uploaded_by=actor,
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        _event(entry, "attached", actor, attachment.version_number, name=name, official=official)
    return attachment


def error_report(*, actor, entry: Entry, reason: str) -> ErrorReport:
    """One click by an operator: the owner must correct the entry within
    `policy.CORRECTION_DAYS` working days (R-KB)."""
    from hotline.knowledge.notices import tell_owner
    from hotline.sla.deadlines import add_working_days
    from hotline.sla.selectors import work_calendar

    require(actor, Capability.VIEW_KNOWLEDGE)
    reason = (reason or "").strip() or _("The entry is wrong or out of date.")
    with transaction.atomic():
        entry = _locked(entry)
        if entry.published_version is None:
            raise Conflict(_("Only a published entry can be reported."))
        now = clock.now()
        due = add_working_days(work_calendar(), now, policy.CORRECTION_DAYS, explain=False).due
        assert due is not None
        report = ErrorReport.objects.create(
            entry=entry,
            version=entry.published_version,
            reason=reason[:500],
            reported_by=actor,
            reported_at=now,
            due_at=due,
        )
        _event(entry, "error_reported", actor, entry.published_version.number, reason=reason[:500])
        tell_owner(
            entry,
            subject=_("Knowledge entry reported wrong: %(title)s")
            % {"title": entry.published_version.title},
            body=_("%(reason)s Correct it by %(due)s.")
            % {"reason": reason[:500], "due": local_moment(due)},
            key=f"kb-error:{report.pk}",
        )
    return report


def entry_use_record(*, actor, ticket, version_id: int) -> EntryUse:
    """Link a ticket answered at once (R-HM-1) or guided (R-HM-2) to the entry version
    whose words it was given. Called in the intake's transaction."""
    require(actor, Capability.INTAKE)
    version = (
        EntryVersion.objects.select_related("entry").filter(pk=version_id).first()
        if version_id
        else None
    )
    if version is None or version.entry.published_version_id != version.pk:
        raise Conflict(_("The chosen knowledge entry changed; search again and pick it anew."))
    if not version.valid_on(timezone.localdate(clock.now())):
        raise Conflict(_("The chosen knowledge entry is not valid today."))
    use = EntryUse.objects.create(
        ticket=ticket, entry=version.entry, version=version, used_by=actor
    )
    _event(version.entry, "used", actor, version.number, ticket=ticket.number)
    return use
