"""The ticket and its day counter; who sees it is `querysets.TicketQuerySet.visible_to`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.numbering import next_in_series
from hotline.sla.policies import Urgency
from hotline.tickets import search
from hotline.tickets.models.choices import (
    KIND_CHOICES,
    MODE_CHOICES,
    URGENCY_CHOICES,
    DeclineReason,
    IntakeOutcome,
    TicketChannel,
)
from hotline.tickets.models.citizens import Citizen
from hotline.tickets.models.querysets import TicketQuerySet
from hotline.tickets.states import Status

# "No visit deadline" as a key of its own, before the deadline: both databases then keep
# the tickets without one after the others in an ascending index, which `NULLS LAST`
# cannot say to SQLite (its indexes put NULLs first). The visit list orders by the same
# expressions, so it walks `ticket_queue_visits` instead of sorting (issue 16).
NO_VISIT_DUE = ExpressionWrapper(Q(visit_due__isnull=True), output_field=BooleanField())

if TYPE_CHECKING:
    from hotline.tickets.models.assignment import Assignment
    from hotline.tickets.models.unit_work import Reply

USER = settings.AUTH_USER_MODEL


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=TicketChannel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=URGENCY_CHOICES, default=Urgency.NORMAL.value
    )
    topic = models.ForeignKey(
        "directory.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    catalog_item = models.ForeignKey(
        "directory.CatalogItem",
        verbose_name=_("catalog item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    summary = models.CharField(_("summary"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    address = models.CharField(_("place"), max_length=200, blank=True)
    # The bigram tokens of summary, detail and place for the text index (tickets.search).
    search_terms = models.TextField(
        editable=False, blank=True, default="", verbose_name=_("search terms")
    )
    # A token per unit the ticket was ever given to, for narrowing a unit's word search
    # inside the same index (tickets.search.matching's `units`); written by the dispatch
    # services.
    unit_terms = models.TextField(
        editable=False, blank=True, default="", verbose_name=_("unit search terms")
    )
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )
    region = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confidential = models.BooleanField(_("confidential"), default=False)
    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="tickets"
    )
    operator = models.ForeignKey(
        USER, verbose_name=_("operator"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), default=clock.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    intake_outcome = models.CharField(
        _("handling"), max_length=16, choices=IntakeOutcome.choices, default=IntakeOutcome.DISPATCH
    )
    decline_reason = models.CharField(
        _("reason not accepted"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    answer = models.TextField(_("answer given at intake"), blank=True)
    policy_version = models.ForeignKey(
        "sla.PolicyVersion",
        verbose_name=_("policy version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("handling mode"), max_length=16, choices=MODE_CHOICES, blank=True)
    catalog_days = models.PositiveSmallIntegerField(
        _("catalog deadline (working days)"), null=True, blank=True
    )
    instruction = models.TextField(_("leader's instruction"), blank=True)
    instruction_days = models.PositiveSmallIntegerField(
        _("instruction deadline (working days)"), null=True, blank=True
    )
    related_to = models.ForeignKey(
        "self",
        verbose_name=_("earlier ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    screened = models.BooleanField(_("ruled validly completed"), default=False)
    # The return visit (R-FB-2): its deadline from the policy, set on completion, and the
    # moment of the next attempt after a failed call (None: call now).
    visit_due = models.DateTimeField(_("visit by"), null=True, blank=True)
    visit_retry_at = models.DateTimeField(_("next visit attempt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(
        default=0, verbose_name=_("version")
    )  # bumped by every service write

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-received_at", "-id"]
        # Queues and searches by status walk this in received order (the dispatcher's
        # pending queue, completion reviews, "status=…" searches) instead of sorting.
        indexes = [
            models.Index(fields=["status", "received_at"], name="ticket_status_received"),
            # The visit call list: completed tickets by their visit deadline (R-FB-2).
            models.Index(fields=["status", "visit_due"], name="ticket_status_visit_due"),
            # The dispatcher's queues in their exact order, urgent first (R-HM-4), holding
            # only the open tickets of the queue: a page and its capped count read 20 and
            # at most 1,000 index entries, whatever the city's history (issue 16).
            *[
                models.Index(
                    F("urgency").desc(),
                    F("received_at"),
                    F("id"),
                    condition=Q(status=status),
                    name=f"ticket_queue_{status}"[:30],
                )
                for status in ("pending_dispatch", "replied")
            ],
            # The visit call list in its order (R-FB-2, R-HM-4): urgent first, then by
            # visit deadline, the tickets without one last (NO_VISIT_DUE), on both
            # databases.
            models.Index(
                F("urgency").desc(),
                NO_VISIT_DUE,
                F("visit_due"),
                F("received_at"),
                F("id"),
                condition=Q(status="completed"),
                name="ticket_queue_visits",
            ),
            # The few tickets that were merged into or linked to another. SQLite's
            # statistics count the NULLs of the plain foreign-key indexes as one value
            # shared by every ticket, so it walked the whole table by date for a ticket
            # page's "merged here" and "related" lists; these hold only the linked rows.
            *[
                models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)
                for field, name in (
                    ("merged_into", "ticket_merged_linked"),
                    ("related_to", "ticket_related_linked"),
                )
            ],
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        # A save of other columns only (a service bumping the version) keeps the terms.
        if fields is None or set(search.FIELDS) & set(fields):
            self.search_terms = search.terms(*(getattr(self, name) for name in search.FIELDS))
            if fields is not None:
                kwargs["update_fields"] = {*fields, "search_terms"}
        super().save(*args, **kwargs)

    @property
    def lead(self) -> Assignment | None:
        """The unit in charge now (牵头单位): the active assignment of role lead, None
        before dispatch and after a merge. Reads prefetched assignments when there are."""
        return next((a for a in self.assignments.all() if a.is_lead and a.active), None)

    def approved_reply(self) -> Reply | None:
        """The answer that goes to the citizen: the approved reply of the lead
        (`Assignment.approved_reply`), of the unit in charge or, once a merge closed
        every part, of the last unit that led. None before a reply is approved."""
        lead = self.lead or next((a for a in reversed(self.assignments.all()) if a.is_lead), None)
        return lead.approved_reply() if lead else None


class TicketCounter(models.Model):
    """Per-day sequence for human-readable numbers like 2026112300017."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"

    @classmethod
    def take(cls, received_at: datetime, count: int = 1) -> list[str]:
        """`count` consecutive ticket numbers of the day of `received_at` in hotline time
        (2026112300017, …), gapless and never handed out twice (core.numbering): call it
        inside the transaction that stores the tickets."""
        day = timezone.localtime(received_at).date()
        last = next_in_series(cls, count=count, day=day)
        return [f"{day:%Y%m%d}{n:05d}" for n in range(last - count + 1, last + 1)]
