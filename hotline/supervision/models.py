"""Reminders (催办), automatic at the policy's lead times and by hand (R-SV-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock


class Reminder(models.Model):
    class Kind(models.TextChoices):
        AUTO = "auto", _("Automatic")
        MANUAL = "manual", _("By a supervisor")

    assignment = models.ForeignKey(
        "tickets.Assignment",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("assignment"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # For automatic reminders: the lead (working days before due) and the due moment it
    # was counted against; a new deadline (extension, redo) gets its own reminders.
    lead_days = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("lead days"))
    reply_due = models.DateTimeField(null=True, blank=True, verbose_name=_("reply due"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=clock.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-at"]
        constraints = [
            # The idempotency guarantee: one automatic reminder per lead and deadline.
            models.UniqueConstraint(
                fields=["assignment", "lead_days", "reply_due"],
                condition=models.Q(kind="auto"),
                name="supervision_auto_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind} {self.at:%Y-%m-%d}"


class Escalation(models.Model):
    """One rung of the escalation ladder reached by one assignment for one deadline
    (R-SV-2, R-SV-3). The unique constraint is the idempotency guarantee: a restarted or
    concurrent tick never climbs the same rung twice; a new deadline (extension, redo)
    starts a new ladder."""

    class Measure(models.TextChoices):
        URGE = "urge", _("Urged by a hotline leader")
        LETTER = "letter", _("Supervision letter")
        RECOMMENDATION = "recommendation", _("Efficiency supervision recommendation")
        CRITICISM = "criticism", _("Public criticism")

    assignment = models.ForeignKey(
        "tickets.Assignment",
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("assignment"),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("ticket"),
    )
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    rung = models.CharField(_("rung"), max_length=32)
    level = models.PositiveSmallIntegerField(_("level"))  # 1-based position in the ladder
    label = models.CharField(_("label"), max_length=100)
    measure = models.CharField(_("action"), max_length=16, choices=Measure.choices)
    reply_due = models.DateTimeField(_("deadline"))
    at = models.DateTimeField(_("at"), default=clock.now, db_index=True)
    by_name = models.CharField(_("urged by"), max_length=100, blank=True)
    recipients = models.JSONField(_("told"), default=list, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "rung", "reply_due"], name="supervision_rung_once"
            ),
        ]
        indexes = [models.Index(fields=["unit", "measure", "at"])]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.rung} {self.at:%Y-%m-%d}"


class DocumentCounter(models.Model):
    """Per-prefix, per-year sequence for document numbers like 青溪12345督〔2026〕7号;
    taken under a row lock, as tickets take theirs (TicketCounter)."""

    prefix = models.CharField(max_length=40, verbose_name=_("prefix"))
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="supervision_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.year} {self.last}"


def document_path(instance: Document, filename: str) -> str:
    return f"supervision/{instance.year}/{filename}"


class DocumentQuerySet(models.QuerySet["Document"]):
    """Who may read supervision letters and recommendations (issue 14 items 8 and 9): the
    roles that supervise, for the tickets they see, and the units they are addressed to
    (or to a sub-unit of theirs). Others do not list them, so they do not read them."""

    def addressed_to(self, user) -> DocumentQuerySet:
        from hotline.accounts.permissions import Capability, can

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if can(user, Capability.SUPERVISE):
            return self
        if can(user, Capability.HANDLE) and user.unit_id:
            return self.filter(
                models.Q(unit_id=user.unit_id) | models.Q(unit__parent_id=user.unit_id)
            )
        return self.none()

    def visible_to(self, user) -> DocumentQuerySet:
        from hotline.accounts.permissions import Capability, can
        from hotline.tickets.models import Ticket

        rows = self.addressed_to(user)
        if can(user, Capability.VIEW_ALL_TICKETS):
            return rows
        return rows.filter(ticket__in=Ticket.objects.visible_to(user))


class Document(models.Model):
    """A numbered supervision letter (督办函) or efficiency supervision recommendation
    (效能监察建议书), stored as PDF under MEDIA_ROOT (R-SV-2, R-SV-3). The number and the
    facts are fixed when it is issued; the PDF is rendered by the tick (or on first
    download) and never changes afterwards."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Supervision letter")
        RECOMMENDATION = "recommendation", _("Efficiency supervision recommendation")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="supervision_documents",
        verbose_name=_("ticket"),
    )
    assignment = models.ForeignKey(
        "tickets.Assignment",
        on_delete=models.PROTECT,
        related_name="supervision_documents",
        verbose_name=_("assignment"),
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="+"
    )
    escalation = models.OneToOneField(
        Escalation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="document",
        verbose_name=_("escalation"),
    )
    issuer = models.CharField(_("issued by"), max_length=100)
    issued_at = models.DateTimeField(_("issued at"), default=clock.now)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    file = models.FileField(
        upload_to=document_path, max_length=300, blank=True, verbose_name=_("file")
    )
    rendered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rendered at"))
    render_claimed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("render claimed at")
    )
    render_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("render attempts"))
    render_error = models.TextField(blank=True, verbose_name=_("render error"))

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision document")
        verbose_name_plural = _("supervision documents")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["rendered_at", "render_attempts"])]

    def __str__(self) -> str:
        return self.number


class Meeting(models.Model):
    """An on-site supervision (现场督办, R-SV-4) or a coordination meeting (协调会,
    R-SV-5; KJ 二(二)): where and when, who came, what was decided, by when."""

    class Kind(models.TextChoices):
        ONSITE = "onsite", _("On-site supervision")
        COORDINATION = "coordination", _("Coordination meeting")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    units = models.ManyToManyField(
        "directory.Unit", verbose_name=_("units involved"), related_name="supervision_meetings"
    )
    tickets = models.ManyToManyField(
        "tickets.Ticket",
        verbose_name=_("tickets involved"),
        blank=True,
        related_name="supervision_meetings",
    )
    attendees = models.TextField(_("attendees"))
    decisions = models.TextField(_("decisions"))
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("supervision meeting")
        verbose_name_plural = _("supervision meetings")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d} {self.subject}"


class QualityReview(models.Model):
    """质检: a sampled ticket whose record a reviewer scores against the call or text
    (R-AS-3, SR 七(二), ZS 33): completeness (0-50), the right kind (25) and the right
    unit (25); the total is their sum. One review per ticket."""

    COMPLETENESS_MAX = 50
    KIND_POINTS = 25
    UNIT_POINTS = 25

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="quality_review"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="quality_reviews",
    )
    sampled_at = models.DateTimeField(_("sampled at"), default=clock.now)
    sampled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completeness = models.PositiveSmallIntegerField(_("completeness"), null=True, blank=True)
    kind_correct = models.BooleanField(_("kind correct"), null=True, blank=True)
    unit_correct = models.BooleanField(_("unit correct"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["-sampled_at", "-id"]
        indexes = [models.Index(fields=["operator", "sampled_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score if self.score is not None else '-'}"
