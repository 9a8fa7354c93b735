"""Assessment data: facts derived from the event log, their unit × day totals, versioned
assessment schemes, published periods with manual scores, and report documents.

Facts and totals are never edited by hand: `aggregate.py` rebuilds them from events,
assignments and deadlines (design rule 3); a full recomputation gives the same rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock

USER = settings.AUTH_USER_MODEL


class Fact(models.Model):
    """One ticket's contribution to one indicator of one unit on one day (the drill-down
    behind every number). unit is null for the hotline's own figures.

    No foreign-key constraints in the database: facts are derived rows rewritten in bulk
    (a year is ~5 million rows at a million tickets), and PostgreSQL checked both keys of
    every row one by one at commit (aggregate.refresh_tickets). The rows come from the
    tickets' own rows in one statement; Django still cascades deletes."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "directory.Unit",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    day = models.DateField()
    metric = models.CharField(max_length=24)
    n = models.PositiveIntegerField(default=1)
    # The ticket's dimensions, for filtered dashboards.
    kind = models.CharField(max_length=16)
    channel = models.CharField(max_length=16)
    topic_id = models.IntegerField(null=True)
    region_id = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            models.Index(fields=["unit", "metric", "day"], name="reports_fact_unit_metric"),
            models.Index(fields=["day", "metric"], name="reports_fact_day_metric"),
            models.Index(fields=["ticket"], name="reports_fact_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.unit_id} {self.day} {self.metric}"


class UnitDay(models.Model):
    """The pre-aggregated total of one indicator for one unit on one day."""

    unit = models.ForeignKey(
        "directory.Unit", null=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    metric = models.CharField(max_length=24)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("unit day")
        verbose_name_plural = _("unit days")
        indexes = [models.Index(fields=["day", "unit"], name="reports_unitday_day_unit")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "metric"], name="reports_unitday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.metric}={self.n}"


class DayDimension(models.Model):
    """Intake per day by one dimension (kind, channel, topic_id or region_id) and its
    value: the dashboard's unfiltered series read these few rows instead of counting
    facts (a month is ~100,000 intake facts at a million tickets a year)."""

    day = models.DateField()
    dimension = models.CharField(max_length=12)
    value = models.CharField(max_length=24, blank=True)  # "" for none (no topic, region)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["dimension", "day"], name="reports_daydim_dim_day")]
        verbose_name = _("intake by day and dimension")
        verbose_name_plural = _("intake by day and dimension")

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.n}"


class RefreshState(models.Model):
    """How far the tick has brought the facts: the last event seen and when."""

    name = models.CharField(max_length=20, unique=True, default="facts")
    last_event_id = models.BigIntegerField(default=0)
    # Event ids at most TRAILING_EVENTS below last_event_id that no read has found yet:
    # a writer that took its id earlier may still commit it (aggregate.refresh_pending).
    unseen_event_ids = models.JSONField(default=list, blank=True)
    last_due_check = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("refresh state")
        verbose_name_plural = _("refresh states")

    def __str__(self) -> str:
        return f"{self.name} {self.last_event_id}"


class Scheme(models.Model):
    """A named assessment scheme; its content lives in immutable versions."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SchemeVersion(models.Model):
    """Immutable: editing a scheme adds a version; a published period keeps its own."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="reports_scheme_version")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.number}"

    def as_scheme(self):
        from hotline.reports import schemes

        return schemes.from_dict(self.data)


class Period(models.Model):
    """An assessment period (month, quarter, half-year, year) assessed under one scheme
    version; once published its ranking is public and its version fixed."""

    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)
    start = models.DateField()
    end = models.DateField()  # inclusive
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(default=dict, blank=True)  # the ranking as published

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start", "end"], name="reports_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}–{self.end}"


class ManualScore(models.Model):
    """A manual item of a scheme scored by people for one unit in one period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="manual_scores")
    unit = models.ForeignKey("directory.Unit", on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=32)
    score = models.FloatField()
    note = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("manual score")
        verbose_name_plural = _("manual scores")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "item"], name="reports_manual_once")
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.unit_id} {self.item}={self.score}"


class ReportDocument(models.Model):
    """工作简报, 情况通报, 月通报, 市长专报, 热线摘报 (R-DA-2): a draft with the figures filled
    in, edited by people, numbered when issued."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", _("Work briefing")
        CIRCULAR = "circular", _("Situation circular")
        MONTHLY = "monthly", _("Monthly bulletin")
        MAYOR = "mayor", _("Special report to the mayor")
        DIGEST = "digest", _("Hotline digest")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    start = models.DateField()
    end = models.DateField()
    figures = models.JSONField(default=dict)
    number = models.CharField(_("number"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    sequence = models.PositiveIntegerField(null=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")

    def __str__(self) -> str:
        return self.number or self.title
