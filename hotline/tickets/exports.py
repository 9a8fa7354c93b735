"""Search and export of tickets (issue 6 item 7): one filter behind the list page and its
Excel file, so the file holds exactly what the page shows.

Every search starts from `Ticket.objects.visible_to(user)` (design rule 5). Searching by
the caller's phone needs Capability.VIEW_PERSONAL_DATA; the export masks the caller as
the page does (`selectors.citizen_for`) and is written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.permissions import Capability, can
from hotline.core.access_log import EXPORT, SEARCH, record_access
from hotline.core.dates import local_moment
from hotline.core.excel import SafeWorkbook
from hotline.core.forms import IdChoiceField
from hotline.core.masking import mask_phone
from hotline.core.models import audit
from hotline.directory.models import Topic, Unit
from hotline.directory.selectors import subtree
from hotline.tickets import paging, search
from hotline.tickets.models import KIND_CHOICES, Assignment, Citizen, Ticket
from hotline.tickets.models.assignment import sees_ticket, units_seen
from hotline.tickets.selectors import citizen_for
from hotline.tickets.states import Status

EXPORT_LIMIT = 10_000  # rows in one Excel file; the page says so when a search has more
NUMBER_LENGTH = 13  # 2026112300017: day + five-digit sequence
SORTS = {"-received": ("-received_at", "-id"), "received": ("received_at", "id")}
FILTERS = (
    "q",
    "number",
    "phone",
    "text",
    "unit",
    "status",
    "kind",
    "topic",
    "date_from",
    "date_to",
)


class TicketSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Quick search"), required=False, max_length=100)
    number = forms.CharField(label=gettext_lazy("Number"), required=False, max_length=20)
    phone = forms.CharField(label=gettext_lazy("Caller's phone"), required=False, max_length=32)
    text = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=100)
    unit = IdChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All units"),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    topic = IdChoiceField(
        label=gettext_lazy("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=gettext_lazy("All topics"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"),
        required=False,
        choices=[
            ("-received", gettext_lazy("Newest first")),
            ("received", gettext_lazy("Oldest first")),
        ],
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by(  # type: ignore[attr-defined]
            "sort_order", "code"
        )
        self.fields["topic"].queryset = Topic.objects.active().with_path()  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("All kinds")), *KIND_CHOICES]  # type: ignore[attr-defined]
        self.may_search_phone = can(user, Capability.VIEW_PERSONAL_DATA)
        if not self.may_search_phone:
            self.fields["phone"].disabled = True
            self.fields["phone"].help_text = _(
                "Your role may not search by the caller's phone (personal data)."
            )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean_text(self) -> str:
        return " ".join(self.cleaned_data["text"].split())

    def clean_phone(self) -> str:
        if not self.may_search_phone:
            # A disabled field ignores what was sent; say so rather than search everything.
            sent = (self.data.get("phone") or "").strip() if self.data else ""
            if sent:
                raise forms.ValidationError(
                    _("Your role may not search by the caller's phone (personal data).")
                )
            return ""
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"] or "")
        if phone and not phone.isdigit():
            raise forms.ValidationError(_("A phone number has digits only."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    @property
    def filtered(self) -> bool:
        """Whether any filter was given (the page and the file name say so)."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in FILTERS)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def has_words(data: dict[str, Any]) -> bool:
    """Whether the cleaned search `data` looks for words (the text field or a quick box
    that is not a number): a word search is paged by time windows (tickets.paging)."""
    quick = data.get("q") or ""
    return bool((data.get("text") or "").strip() or (quick.strip() and not quick.isdigit()))


def ticket_search(*, user, data: dict[str, Any], walk: bool = False) -> QuerySet[Ticket]:
    """The tickets `user` may see that match the cleaned search `data`, in the chosen order
    (`walk`: the same tickets, planned for reading a page in received order, see
    search.matching). Without the index's own columns, which no list shows: the bigrams
    are about 2 KB a ticket, stored out of line, read for every row a window sorts."""
    tickets = _filtered(Ticket.objects.visible_to(user), user, data, walk=walk, record=not walk)
    return tickets.defer(*search.INDEX_COLUMNS)


def search_count(*, user, data: dict[str, Any], cap: int) -> paging.Count:
    """How many tickets of `ticket_search` there are, counted to `cap` + 1; for a word
    search of a user who sees only some tickets, among at most paging.BUDGET word
    matches (paging.capped_count). The same search, not recorded a second time."""
    if has_words(data):
        matches = _filtered(Ticket.objects.all(), user, data, walk=False, record=False)
        scope = sees_ticket(user, "pk")
        return paging.capped_count(
            matches, scope, cap=cap, budget=paging.BUDGET, windows=search.time_in_index()
        )
    # Other searches walk an index of their own (a unit's list: its assignments).
    tickets = _filtered(Ticket.objects.visible_to(user), user, data, walk=False, record=False)
    return paging.capped_count(tickets, True, cap=cap, budget=paging.BUDGET)


def _filtered(
    tickets: QuerySet[Ticket], user, data: dict[str, Any], *, walk: bool, record: bool
) -> QuerySet[Ticket]:
    """`tickets` narrowed by the cleaned search `data` as `user` may search (the phone by
    capability), in the chosen order; `record`: write the phone search to the log."""
    number = data.get("number") or ""
    if number:
        if len(number) >= NUMBER_LENGTH:
            tickets = tickets.filter(number=number)
        else:
            tickets = tickets.filter(number__startswith=number)
    phone = data.get("phone") or ""
    if phone and can(user, Capability.VIEW_PERSONAL_DATA):
        if record:  # the same search built again for its page is not a second one
            record_access(user=user, what=SEARCH, detail=mask_phone(phone))
        tickets = tickets.filter(citizen__phone=phone)
        if not can(user, Capability.VIEW_CONFIDENTIAL):
            # A unit never learns who asked a confidential question (LX 四3).
            tickets = tickets.filter(confidential=False)
    quick = data.get("q") or ""
    if quick.isdigit():
        match = Q(number=quick) if len(quick) >= NUMBER_LENGTH else Q(number__startswith=quick)
        if len(quick) >= 11 and can(user, Capability.VIEW_PERSONAL_DATA):
            # The caller's ids first: an OR with a sub-select makes PostgreSQL scan every
            # ticket, an OR of two indexed columns is two index look-ups.
            callers = list(Citizen.objects.filter(phone=quick).values_list("pk", flat=True))
            by_phone = Q(citizen_id__in=callers)
            if not can(user, Capability.VIEW_CONFIDENTIAL):
                by_phone &= Q(confidential=False)
            match |= by_phone
        tickets = tickets.filter(match)
    words = " ".join([quick if not quick.isdigit() else "", data.get("text") or ""])
    unit = data.get("unit")
    # The units the user sees, and the unit asked for, narrow the words in the index.
    units = [units_seen(user) or [], [unit.pk] if unit is not None else []]
    tickets = search.matching(tickets, words, walk=walk, units=units)
    if unit is not None:
        tickets = tickets.filter(
            Exists(Assignment.objects.filter(ticket_id=OuterRef("pk"), unit_id=unit.pk))
        )
    if data.get("status"):
        tickets = tickets.filter(status=data["status"])
    if data.get("kind"):
        tickets = tickets.filter(kind=data["kind"])
    topic = data.get("topic")
    if topic is not None:
        tickets = tickets.filter(topic_id__in=subtree(Topic, topic.pk))
    if data.get("date_from"):
        tickets = tickets.filter(received_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        tickets = tickets.filter(received_at__lt=_day_start(data["date_to"] + timedelta(days=1)))
    return tickets.order_by(*SORTS.get(data.get("sort") or "", SORTS["-received"]))


# --- Excel --------------------------------------------------------------------------------


def export_columns() -> list[str]:
    return [
        _("Number"),
        _("Received"),
        _("Channel"),
        _("Kind"),
        _("Urgency"),
        _("Topic"),
        _("Summary"),
        _("Detail"),
        _("Place"),
        _("Caller"),
        _("Caller's phone"),
        _("Status"),
        _("Units"),
        _("Closed"),
    ]


def export_rows(user, tickets: QuerySet[Ticket]) -> Iterator[list[str]]:
    """One row per ticket, the caller as `user` may see them (selectors.citizen_for)."""
    rows = tickets.select_related("citizen", "topic__parent__parent").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(active=True).select_related("unit"),
        )
    )
    for ticket in rows.iterator(chunk_size=1000):
        citizen = citizen_for(user, ticket, log=False)  # export_workbook logs the file
        topic = ticket.topic
        path: list[str] = []
        while topic is not None:
            path.insert(0, topic.name)
            topic = topic.parent
        yield [
            ticket.number,
            local_moment(ticket.received_at, empty=""),
            ticket.get_channel_display(),
            ticket.get_kind_display(),
            ticket.get_urgency_display(),
            " / ".join(path),
            ticket.summary,
            ticket.detail,
            ticket.address,
            citizen["name"],
            citizen["phone"],
            ticket.get_status_display(),
            "、".join(f"{a.unit.name}（{a.get_role_display()}）" for a in ticket.assignments.all()),
            local_moment(ticket.closed_at, empty=""),
        ]


def export_workbook(
    user,
    tickets: QuerySet[Ticket],
    *,
    total: int,
    filters: dict[str, str] | None = None,
    limit: int | None = None,
) -> tuple[bytes, int]:
    """The .xlsx bytes of at most `limit` tickets and how many rows it holds.

    A write-only workbook keeps memory flat; a first line says when the search had more
    tickets than one file takes.
    """
    limit = EXPORT_LIMIT if limit is None else limit
    book = SafeWorkbook()
    sheet = book.sheet(_("Tickets"), widths=(16, 17, 10, 8, 8, 24, 36, 50, 24, 10, 15, 16, 40, 17))
    if total > limit:
        book.append(
            sheet,
            [
                _(
                    "Only the first %(limit)s of %(total)s tickets are in this file: "
                    "narrow the search to export the rest."
                )
                % {"limit": limit, "total": total}
            ],
            bold=True,
        )
    book.append(sheet, export_columns(), bold=True)
    written = 0
    for row in export_rows(user, tickets[:limit]):
        book.append(sheet, row)
        written += 1
    content = book.to_bytes()
    if can(user, Capability.VIEW_PERSONAL_DATA) and written:
        record_access(user=user, what=EXPORT, detail=f"{written} rows")
    audit(
        kind="tickets_exported",
        actor=user,
        object_type="ticket",
        rows=written,
        total=total,
        filters=filters or {},
    )
    return content, written
