"""The knowledge base (知识库, R-KB, ZS 34–35): entries kept by the units, reviewed by the
hotline, used by operators to answer at once (R-HM-1) and to guide (R-HM-2).

An `Entry` is the thing people talk about ("the 公积金 extraction entry"); every edit is
a new `EntryVersion` holding the whole content, so a ticket answered from an entry keeps
the exact words it was given (`EntryUse.version`). Operators see the entry's published
version while a newer draft waits for review.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hotline.core import clock

USER = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    POLICY = "policy", _("Policy and interpretation")
    QA = "qa", _("Question and answer")
    SCRIPT = "script", _("Answer script")
    SERVICE = "service", _("Duties and service guide")
    WORKS = "works", _("Planned works notice")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WorksKind(models.TextChoices):
    WATER = "water", _("Water cut")
    POWER = "power", _("Power cut")
    GAS = "gas", _("Gas cut")
    TELECOM = "telecom", _("Telecom outage")


class EntryQuerySet(models.QuerySet["Entry"]):
    def live(self) -> EntryQuerySet:
        """Entries with a published version (also while a newer draft awaits review)."""
        return self.filter(published_version__isnull=False)

    def visible_to(self, user) -> EntryQuerySet:
        """Hotline staff see every entry; a unit sees the published ones and its own
        (and its sub-units') drafts (design rule 5)."""
        from hotline.knowledge.permissions import is_hotline

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_hotline(user):
            return self
        unit_id = getattr(user, "unit_id", None)
        own = Q(owner_id=unit_id) | Q(owner__parent_id=unit_id) if unit_id else Q(pk__in=[])
        return self.filter(own | Q(published_version__isnull=False, status__in=_LIVE))


_LIVE = [Status.PUBLISHED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED]


class Entry(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        "directory.Unit", verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    emergency = models.BooleanField(_("emergency answer script"), default=False)
    latest_version = models.ForeignKey(
        "EntryVersion", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_version = models.ForeignKey(
        "EntryVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField(_("reason returned"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    # Reminders already sent, so the tick sends each once (also keyed in notifications).
    review_reminded_for = models.DateField(null=True, blank=True)
    release_reminded_for = models.DateField(null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        version = self.latest_version
        return f"{self.pk} {version.title if version else ''}"

    @property
    def current(self) -> EntryVersion:
        """The latest version (every saved entry has one)."""
        assert self.latest_version is not None
        return self.latest_version


class EntryVersion(models.Model):
    """One edit of an entry: the whole content. Never changed once written."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    answer = models.TextField(_("answer for the caller"))
    body = models.TextField(_("details"), blank=True)  # sanitised HTML (nh3)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    topic = models.ForeignKey(
        "directory.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective = models.DateField(_("effective from"))
    expires = models.DateField(_("expires on"), null=True, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    release_on = models.DateField(_("public release on"), null=True, blank=True)
    public_phone = models.CharField(_("public service line"), max_length=64, blank=True)
    service_hours = models.CharField(_("service hours"), max_length=100, blank=True)
    works_kind = models.CharField(
        _("works kind"), max_length=16, choices=WorksKind.choices, blank=True
    )
    works_region = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("affected area (unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    works_places = models.CharField(_("affected places"), max_length=500, blank=True)
    works_start = models.DateTimeField(_("works from"), null=True, blank=True)
    works_end = models.DateTimeField(_("works until"), null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    index_text = models.TextField(blank=True)  # ranking.index_text(): no jieba at rebuild
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("entry version")
        verbose_name_plural = _("entry versions")
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_number"),
            models.CheckConstraint(
                condition=Q(expires__isnull=True) | Q(expires__gte=models.F("effective")),
                name="knowledge_expires_after_effective",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def valid_on(self, day: date) -> bool:
        return self.effective <= day and (self.expires is None or self.expires >= day)

    def unreleased_on(self, day: date) -> bool:
        """A policy known to the hotline before its public release (ZS 34(二))."""
        return self.release_on is not None and day < self.release_on

    def place_words(self) -> list[str]:
        from hotline.directory.models import split_keywords

        return split_keywords(self.works_places)


def attachment_path(instance: EntryAttachment, filename: str) -> str:
    return f"knowledge/{instance.entry_id}/{filename}"


class EntryAttachment(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    version_number = models.PositiveIntegerField(_("added with version"))
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    official = models.BooleanField(_("official text"), default=False)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


EVENT_LABELS = {
    "created": _("Entry created"),
    "edited": _("New version"),
    "submitted": _("Submitted for review"),
    "approved": _("Approved and published"),
    "returned": _("Returned"),
    "withdrawn": _("Withdrawn"),
    "published_emergency": _("Emergency script published"),
    "attached": _("File attached"),
    "error_reported": _("Error reported"),
    "used": _("Used to answer a ticket"),
    "release_reminded": _("Reminded of the release day"),
    "review_reminded": _("Reminded to review"),
}


class EntryEvent(models.Model):
    """Append-only log of what happened to an entry (design rule 3)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    version_number = models.PositiveIntegerField(null=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("entry event")
        verbose_name_plural = _("entry events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["entry", "at"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))


class ErrorReport(models.Model):
    """An operator's report of an error in an entry; the owner corrects it by `due_at`
    (working days, R-KB: errors are corrected within a deadline)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="error_reports")
    version = models.ForeignKey(EntryVersion, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("what is wrong"), max_length=500)
    reported_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)
    due_at = models.DateTimeField(_("correct by"), db_index=True)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    corrected_version = models.ForeignKey(
        EntryVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["corrected_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.reason[:30]}"

    @property
    def on_time(self) -> bool | None:
        if self.corrected_at is None:
            return None
        return self.corrected_at <= self.due_at


class EntryUse(models.Model):
    """A ticket answered (or guided) from an entry: which version's words it was given.
    Kept here because tickets sit below knowledge in the layers."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="knowledge_use"
    )
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="uses")
    version = models.ForeignKey(EntryVersion, on_delete=models.PROTECT, related_name="uses")
    used_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    used_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("entry use")
        verbose_name_plural = _("entry uses")
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} ← {self.version}"
