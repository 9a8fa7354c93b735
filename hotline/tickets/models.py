"""Tickets, the people who ask, each unit's part, and the append-only event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.masking import mask_citizen_contact, mask_name
from hotline.sla.policies import Kind, Mode, Urgency
from hotline.tickets import search
from hotline.tickets.states import Status

USER = settings.AUTH_USER_MODEL


KIND_CHOICES = [
    (Kind.CONSULT.value, _("Consultation")),
    (Kind.HELP.value, _("Help")),
    (Kind.COMPLAINT.value, _("Complaint")),
    (Kind.REPORT.value, _("Report")),
    (Kind.SUGGEST.value, _("Suggestion")),
]
MODE_CHOICES = [
    (Mode.PHONE.value, _("Phone assignment")),
    (Mode.WRITTEN.value, _("Written assignment")),
    (Mode.INSTRUCTION.value, _("Leader instruction")),
]
# The inbox tabs' assignment states (workbench.queues), each with its own partial index.
INBOX_INDEXES = {
    "sign": ["dispatched"],
    "handling": ["handling", "return_review"],
    "working": ["dispatched", "handling", "return_review"],
    "replied": ["replied"],
}
URGENCY_CHOICES = [(Urgency.NORMAL.value, _("Normal")), (Urgency.URGENT.value, _("Urgent"))]


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone 12345")
    MAILBOX = "mailbox", _("Mayor's mailbox")
    WEB = "web", _("Web portal")
    WECHAT = "wechat", _("WeChat")
    APP = "app", _("Mobile app")
    FAX = "fax", _("Fax")
    VOICEMAIL = "voicemail", _("Voice mailbox")
    SMS = "sms", _("SMS")
    TRANSFER = "transfer", _("Transferred from another hotline")


class Handling(models.TextChoices):
    """What the operator did with the request at intake (R-HM-1 to R-HM-5)."""

    ANSWER_NOW = "answer_now", _("Answered now")
    GUIDE = "guide", _("Guided to the responsible unit")
    FORWARD = "forward", _("Forwarded for information")
    DECLINE = "decline", _("Not accepted")
    DISPATCH = "dispatch", _("To be dispatched")


class DeclineReason(models.TextChoices):
    """Out of scope, each with its own guidance (R-IN-4, ZS 13, LX 三, KM 6, ZS 24)."""

    EMERGENCY = "emergency", _("Emergency: 110 / 119 / 120 / 122")
    LEGAL_PROCEDURE = "legal_procedure", _("In or due for a legal procedure")
    PETITION = "petition", _("Already handled by the petitions bureau")
    REPEAT = "repeat", _("Repeat of a matter in progress or completed")
    ILLEGAL = "illegal", _("Illegal or against public order")
    OTHER_ORGAN = "other_organ", _("Party, congress, CPPCC, armed forces, court, procuratorate")
    OTHER_CITY = "other_city", _("Outside this city")


# What the operator tells the caller for each reason (R-IN-4; ZS 13, 24; LX 三; KM 6).
DECLINE_GUIDANCE: dict[str, str] = {
    DeclineReason.EMERGENCY: (
        "紧急情况请立即拨打 110（治安）、119（火警）、120（急救）、"
        "122（交通事故），或由话务员直接转接。"
    ),
    DeclineReason.LEGAL_PROCEDURE: (
        "该事项已进入或应当通过诉讼、仲裁、纪检监察、行政复议、信访、"
        "政府信息公开等法定途径解决，请向相应机关提出。"
    ),
    DeclineReason.PETITION: (
        "信访部门已处理或正在处理该事项，热线不重复受理，请向信访部门了解进展。"
    ),
    DeclineReason.REPEAT: (
        "该诉求与在办或已办结的工单事实、理由相同，已告知原工单的办理进度或结果。"
    ),
    DeclineReason.ILLEGAL: "该诉求违反法律法规或公序良俗，已劝阻并告知可能承担的法律后果。",
    DeclineReason.OTHER_ORGAN: (
        "该事项属党委、人大、政协、人武部、法院、检察院职责范围，已告知向相关机关反映或转送。"
    ),
    DeclineReason.OTHER_CITY: "该事项不属于本市管辖，已告知或转至省内相应城市的 12345 热线。",
}


class Citizen(models.Model):
    """The person or organisation asking (诉求人)."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    # Phone intake always has a phone; a citizen who wrote by mail or WeChat only has an
    # e-mail or an openid instead (issue 13), each answered and masked in its own way.
    phone = models.CharField(_("phone"), max_length=32, db_index=True, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, db_index=True)
    wechat_openid = models.CharField(_("WeChat user"), max_length=64, blank=True, db_index=True)
    address = models.CharField(_("address or work unit"), max_length=200, blank=True)
    prefers_confidential = models.BooleanField(_("asks for confidentiality"), default=False)
    created_at = models.DateTimeField(_("first contact"), default=clock.now)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        # Masked: a caller's name or phone shown in full goes through tickets.selectors.
        # citizen_for, which checks the role and logs the view (issue 14 items 3, 4).
        return mask_name(self.name) or mask_citizen_contact(self)


class AbuseRecord(models.Model):
    """False reports, harassment, threats, repeated malicious calls (R-IN-5, KM 25-26)."""

    class Kind(models.TextChoices):
        FALSE_REPORT = "false_report", _("Deliberately false report")
        HARASSMENT = "harassment", _("Harassment")
        INSULT = "insult", _("Insults or threats to staff")
        REPEATED = "repeated", _("Repeated calls on an answered matter")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="abuse_records", verbose_name=_("citizen")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=clock.now)
    by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("abuse record")
        verbose_name_plural = _("abuse records")

    def __str__(self) -> str:
        return f"{self.citizen} {self.kind}"


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user) -> TicketQuerySet:
        """Hotline staff see every ticket; a unit sees tickets assigned to it or its sub-units,
        except those it sent back once the return was approved: the ticket has moved on to
        another unit, and the caller's data with it (issue 14 item 6). The one rule of who
        sees what (design rule 5)."""
        from hotline.accounts.permissions import Capability, can
        from hotline.directory.selectors import unit_and_descendants

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if can(user, Capability.VIEW_ALL_TICKETS):
            return self
        if not user.unit_id:
            return self.none()
        units = unit_and_descendants(user.unit_id)
        # EXISTS instead of a join + DISTINCT: no duplicate rows, and far cheaper at scale.
        mine = Assignment.objects.filter(ticket=OuterRef("pk"), unit_id__in=units).exclude(
            state=Assignment.State.RETURNED
        )
        return self.filter(Exists(mine))


class TicketPartQuerySet(models.QuerySet):
    """`visible_to(user)` for rows that belong to a ticket (issue 14 item 9): the rows of
    the tickets the user sees, by the one rule in TicketQuerySet.visible_to. Who
    sees every ticket pays no sub-query."""

    ticket_path = "ticket"

    def visible_to(self, user):
        from hotline.accounts.permissions import Capability, can

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if can(user, Capability.VIEW_ALL_TICKETS):
            return self
        return self.filter(**{f"{self.ticket_path}__in": Ticket.objects.visible_to(user)})


class AssignmentQuerySet(TicketPartQuerySet):
    ticket_path = "ticket"


class AssignmentPartQuerySet(TicketPartQuerySet):
    ticket_path = "assignment__ticket"


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
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
    handling = models.CharField(
        _("handling"), max_length=16, choices=Handling.choices, default=Handling.DISPATCH
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
            # The visit call list (PostgreSQL sorts NULLs last in an ascending column).
            models.Index(
                F("urgency").desc(),
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
        return next(
            (a for a in self.assignments.all() if a.role == Assignment.Role.LEAD and a.active),
            None,
        )


class TicketCounter(models.Model):
    """Per-day sequence for human-readable numbers like 2026112300017."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class WarningLevel(models.TextChoices):  # 预警
    NORMAL = "normal", _("Normal")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


class Assignment(models.Model):
    """One unit's part in one ticket, with its own deadlines (派单记录)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        ASSIST = "assist", _("Assist")
        SUB = "sub", _("Sub-assignment")

    class State(models.TextChoices):
        DISPATCHED = "dispatched", _("Awaiting signature")
        HANDLING = "handling", _("Handling")
        RETURN_REVIEW = "return_review", _("Send-back under review")
        REPLIED = "replied", _("Replied")
        RETURNED = "returned", _("Sent back")
        CLOSED = "closed", _("Closed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="subs"
    )
    mode = models.CharField(_("handling mode"), max_length=16, choices=MODE_CHOICES)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DISPATCHED, db_index=True
    )
    active = models.BooleanField(default=True)
    # The ticket's urgency, copied when the assignment is made (a ticket's urgency is set
    # at intake and never changes), so the inbox orders urgent first through an index of
    # the unit's open assignments instead of sorting them all through a join (issue 16).
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=URGENCY_CHOICES, default=Urgency.NORMAL.value
    )
    coordinated = models.BooleanField(
        _("named by coordination"),
        default=False,
        help_text=_("After a coordination decision the unit may not send it back (R-UN-2)."),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), default=clock.now)
    first_received_at = models.DateTimeField(_("first received at"), default=clock.now)
    clock_start = models.DateTimeField(_("deadline counts from"), default=clock.now)
    extra_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    handler = models.ForeignKey(
        USER,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sign_due = models.DateTimeField(_("sign by"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply by"), null=True, blank=True)
    return_until = models.DateTimeField(_("send back until"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # R-UN-4: the unit contacts the citizen within the policy's window after signing;
    # both kept by the services (assignment_sign, contact_record) for the response rate.
    contact_due = models.DateTimeField(_("contact the citizen by"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    # An approved carry-over (挂账): not overdue until the promised date (tickets.deadlines).
    carried_until = models.DateTimeField(_("carried over until"), null=True, blank=True)
    # Kept by the sweeper (hotline.supervision) so that finding due work is an index scan.
    warning = models.CharField(
        _("warning"),
        max_length=8,
        choices=WarningLevel.choices,
        default=WarningLevel.NORMAL,
        db_index=True,
    )
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dispatched_at", "id"]
        indexes = [
            models.Index(fields=["active", "reply_due"]),
            models.Index(fields=["unit", "active", "state"]),
            # The sweeper's claim (hotline.supervision.sweep._claim): only the
            # assignments it watches, in next_check_at order, so a batch is a range scan.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(active=True, state__in=["dispatched", "handling"]),
                name="tickets_assignment_due",
            ),
            # Each inbox tab in its order (workbench.queues): urgent first, then the reply
            # deadline, over the unit's open assignments only (issue 16).
            *[
                models.Index(
                    F("unit"),
                    F("urgency").desc(),
                    F("reply_due"),
                    F("id"),
                    condition=Q(active=True, state__in=states),
                    name=f"assignment_inbox_{tab}",
                )
                for tab, states in INBOX_INDEXES.items()
            ],
            # The "done" tab: the unit's finished part (a finished ticket's assignments are
            # all inactive), newest reply first, without the open work in front of it.
            models.Index(
                F("unit"),
                F("replied_at").desc(),
                F("id").desc(),
                condition=Q(active=False),
                name="assignment_inbox_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}→{self.unit_id} ({self.role})"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.ticket_id:
            self.urgency = self.ticket.urgency
        super().save(*args, **kwargs)


class Pause(models.Model):
    """Time that does not count against the unit: the hotline's review (R-DL-3, ZS 17)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=50)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.reason} {self.start:%Y-%m-%d %H:%M}"


class UnitRequest(models.Model):
    """A unit asks the hotline: send back (退回, R-UN-2) or more time (延期, R-UN-3)."""

    class Kind(models.TextChoices):
        SEND_BACK = "send_back", _("Send back")
        EXTENSION = "extension", _("Extension")
        EXCLUSION = "exclusion", _("Exclusion from assessment")  # 剔除
        CARRY_OVER = "carry_over", _("Carry-over")  # 挂账

    class Category(models.TextChoices):
        """Why a ticket should not count in the unit's assessment (剔除)."""

        MALICIOUS = "malicious", _("Malicious caller")
        BEYOND_POLICY = "beyond_policy", _("Beyond policy after screening")
        FORCE_MAJEURE = "force_majeure", _("Force majeure")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    suggested_unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("extra working days"), null=True, blank=True)
    category = models.CharField(
        _("exclusion reason"), max_length=16, choices=Category.choices, blank=True
    )
    promised_date = models.DateField(_("promised completion date"), null=True, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    # The ticket's urgency, copied when the request is made, so the dispatcher's review
    # queues order urgent first through one partial index (issue 16).
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=URGENCY_CHOICES, default=Urgency.NORMAL.value
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit request")
        verbose_name_plural = _("unit requests")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                condition=models.Q(decision="pending"),
                name="tickets_one_pending_request_per_kind",
            ),
        ]
        indexes = [
            # Each review queue of the dispatcher (workbench.queues.visible_requests).
            models.Index(
                F("kind"),
                F("urgency").desc(),
                F("requested_at"),
                F("id"),
                condition=Q(decision="pending"),
                name="unitrequest_pending_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.decision}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.assignment_id:
            self.urgency = self.assignment.urgency
        super().save(*args, **kwargs)


class Reply(models.Model):
    """The unit's written answer; its leader approves it before it goes out (R-UN-5)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting the unit leader")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected by the unit leader")
        REFUSED = "refused", _("Refused by the hotline")
        WITHDRAWN = "withdrawn", _("Withdrawn by the handler")

    class Result(models.TextChoices):
        """How far the matter was resolved, in the unit's own words (R-UN-4, R-UN-5)."""

        RESOLVED = "resolved", _("Resolved")
        PARTLY = "partly", _("Partly resolved")
        UNRESOLVED = "unresolved", _("Not resolved")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("reply"))
    points = models.JSONField(_("points answered"), default=list, blank=True)
    citizen_view = models.TextField(_("citizen's satisfaction or why none"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    result = models.CharField(
        _("handling result"), max_length=10, choices=Result.choices, blank=True
    )
    result_reason = models.TextField(_("why not (fully) resolved"), blank=True)
    written_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=clock.now)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = AssignmentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["written_at", "id"]
        indexes = [
            # The leader's approvals: the few submitted replies, not every reply ever.
            models.Index(
                fields=["assignment"],
                condition=Q(state="submitted"),
                name="reply_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.state}"


class Contact(models.Model):
    """The unit's contact with the citizen while handling (R-UN-4, ZS 20(一))."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        VISIT = "visit", _("In person")
        OTHER = "other", _("Other")

    class Result(models.TextChoices):
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")
        REFUSED = "refused", _("Refused to talk")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("unit")
    )
    at = models.DateTimeField(_("contacted at"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("contact with the citizen")
        verbose_name_plural = _("contacts with the citizen")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.at:%Y-%m-%d %H:%M} {self.result}"


class Visit(models.Model):
    """A return visit (回访, R-FB-2), or a failed attempt at one.

    Three scores: `satisfaction` with the result, `unit_satisfaction` with the handling
    unit, `operator_satisfaction` with the hotline's operator (R-AS-3). `round` is 1 for
    the first completion and one more after each redo, so a redo's outcome replaces the
    earlier round's; `attempt` counts the calls within a round.
    """

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        WEB = "web", _("Web")

    class Outcome(models.TextChoices):
        DONE = "done", _("Visited")
        NO_ANSWER = "no_answer", _("No answer")
        POWERED_OFF = "powered_off", _("Phone switched off")
        REFUSED = "refused", _("Refused the visit")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="visits")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PHONE)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.DONE
    )
    satisfaction = models.CharField(max_length=12, choices=Satisfaction.choices, blank=True)
    unit_satisfaction = models.CharField(
        _("satisfaction with the unit"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    operator_satisfaction = models.CharField(
        _("satisfaction with the operator"),
        max_length=12,
        choices=Satisfaction.choices,
        blank=True,
    )
    resolved = models.BooleanField(null=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    # The last failed attempt of a round: the ticket counts as not visited (not satisfied).
    gave_up = models.BooleanField(_("not visited"), default=False)
    note = models.TextField(blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.satisfaction}"


EVENT_LABELS = {
    "received": _("Received"),
    "dispatched": _("Dispatched"),
    "signed": _("Signed"),
    "send_back_requested": _("Send-back requested"),
    "send_back_approved": _("Send-back approved"),
    "send_back_refused": _("Send-back refused"),
    "extension_requested": _("Extension requested"),
    "extension_approved": _("Extension approved"),
    "extension_refused": _("Extension refused"),
    "assist_reported": _("Co-unit reported"),
    "passed_down": _("Passed down to a sub-unit"),
    "sub_accepted": _("Sub-unit result accepted"),
    "sub_refused": _("Sub-unit result sent back"),
    "reply_submitted": _("Reply written"),
    "reply_approved": _("Reply approved by the unit leader"),
    "reply_rejected": _("Reply returned by the unit leader"),
    "reply_withdrawn": _("Reply withdrawn by the handler"),
    "completion_approved": _("Completion approved"),
    "completion_refused": _("Completion refused"),
    "visited": _("Return visit"),
    "visit_failed": _("Return visit failed"),
    "contacted": _("Citizen contacted"),
    "quality_sampled": _("Sampled for quality review"),
    "quality_reviewed": _("Quality review scored"),
    "exclusion_requested": _("Exclusion requested"),
    "exclusion_approved": _("Exclusion approved"),
    "exclusion_refused": _("Exclusion refused"),
    "carry_over_requested": _("Carry-over requested"),
    "carry_over_approved": _("Carry-over approved"),
    "carry_over_refused": _("Carry-over refused"),
    "redo": _("Redo ordered"),
    "screened": _("Ruled validly completed"),
    "merged": _("Merged"),
    "repeat_linked": _("Kept as a repeat of a closed ticket"),
    "annotated": _("Note"),
    "attached": _("File attached"),
    "reminded": _("Reminder"),
    # The escalation ladder and supervision records (hotline.supervision, R-SV-2 to R-SV-5).
    "urged": _("Urged by a hotline leader"),
    "supervision_letter": _("Supervision letter issued"),
    "efficiency_recommendation": _("Efficiency supervision recommendation issued"),
    "publicly_criticised": _("Listed for public criticism"),
    "onsite_supervision": _("On-site supervision"),
    "coordination_meeting": _("Coordination meeting"),
    "submitted_to_leader": _("Submitted to the city leaders"),
    "instructed": _("Leader's instruction"),
    "emergency_reported": _("Reported as an emergency to the leaders and the duty office"),
    "emergency_acknowledged": _("Emergency report acknowledged"),
}


class Submission(models.Model):
    """A submission form (呈批表) or special report (专报) to the city leaders about
    wide-impact matters; the leader's instruction (批示) then becomes the assignment,
    with the instruction's deadline (R-HM-6, LX 四2(4), 四3)."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Submission form")
        SPECIAL_REPORT = "special_report", _("Special report")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    tickets = models.ManyToManyField(Ticket, related_name="submissions")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    instruction = models.TextField(_("leader's instruction"), blank=True)
    instruction_days = models.PositiveSmallIntegerField(null=True, blank=True)
    instructed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instructed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("submission to leaders")
        verbose_name_plural = _("submissions to leaders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.ticket.received_at:%Y/%m}/{instance.ticket.number}/{filename}"


class Attachment(models.Model):
    """A file on a ticket. Evidence of a complaint is never shown to the unit or person
    complained about (KM 19)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    evidence = models.BooleanField(_("complaint evidence"), default=False)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class TicketEvent(models.Model):
    """Append-only: the truth for time (design rule 3). Services add one row per action."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, db_index=True)
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(
        "directory.Unit", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))
