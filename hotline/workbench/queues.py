"""The work queues behind the workbench pages. Every one starts from
`Ticket.objects.visible_to(user)` (design rule 5); the pages paginate them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext

from hotline.core.lookups import Unindexed
from hotline.sla import wording
from hotline.sla.calendar import WorkCalendar
from hotline.tickets.models import (
    INBOX_INDEXES,
    NO_VISIT_DUE,
    Assignment,
    Reply,
    Ticket,
    UnitRequest,
)
from hotline.tickets.states import Status
from hotline.workbench.paging import capped_counts

NEAR_DUE_WORKDAYS = 2  # "即将超期": reply due within two working days
# Urgent first in every queue (R-HM-4): "urgent" sorts after "normal", so descending
# urgency puts the urgent rows on top; test_queues pins it.
URGENT_FIRST = "-urgency"
URGENCIES = ("urgent", "normal")


def by_urgency(queryset: QuerySet, wanted: str, field: str = "urgency") -> QuerySet:
    """Only the rows of one urgency when the page asks (?urgency=urgent|normal)."""
    return queryset.filter(**{field: wanted}) if wanted in URGENCIES else queryset


# --- how long a row has waited ------------------------------------------------------------


@dataclass(frozen=True)
class Age:
    """How long a row has waited in its queue, and whether the hotline's own step (the
    dispatch, or the review of a unit's request or reply) is late by the policy."""

    waited: timedelta
    late: bool

    @property
    def text(self) -> str:
        minutes = max(0, int(self.waited.total_seconds() // 60))
        if minutes < 60:
            return gettext("%(n)d min") % {"n": minutes}
        if minutes < 48 * 60:
            return gettext("%(n)d h") % {"n": minutes // 60}
        return gettext("%(n)d d") % {"n": minutes // (24 * 60)}


def age(since: datetime | None, *, now: datetime, limit_hours: float | None = None) -> Age | None:
    if since is None:
        return None
    waited = now - since
    late = limit_hours is not None and waited > timedelta(hours=limit_hours)
    return Age(waited, late)


# --- remaining working days --------------------------------------------------------------


@dataclass(frozen=True)
class Remaining:
    days: int | None  # working days left; negative when overdue; None without a deadline
    overdue: bool
    due: datetime | None = None  # local
    now: datetime | None = None  # local

    @property
    def phrase(self) -> str:
        """Said in hours on the day itself: "今日 17:30 到期", "已超期 3 小时" (sla.wording)."""
        if self.due is None or self.now is None:
            return ""
        if self.overdue:
            return wording.overdue_text(self.due, self.now, workdays_over=abs(self.days or 0))
        if self.due.date() == self.now.date():
            return wording.due_today_text(self.due)
        return ""

    @property
    def css(self) -> str:
        if self.days is None:
            return ""
        if self.overdue:
            return "due-over"
        return "due-soon" if self.days <= NEAR_DUE_WORKDAYS else "due-ok"

    @property
    def abs_days(self) -> int:
        return abs(self.days or 0)


def remaining(due: datetime | None, *, calendar: WorkCalendar, now: datetime) -> Remaining:
    """Working days between today and the due day (R-DL-2), counted on the calendar."""
    if due is None:
        return Remaining(None, False)
    local_due, local_now = timezone.localtime(due), timezone.localtime(now)
    today, day = local_now.date(), local_due.date()
    try:
        if due >= now:
            return Remaining(calendar.workdays_between(today, day), False, local_due, local_now)
        return Remaining(-calendar.workdays_between(day, today), True, local_due, local_now)
    except ValueError:  # outside the calendar's years: show the date only
        return Remaining(None, due < now)


def near_due_limit(*, calendar: WorkCalendar, now: datetime) -> datetime:
    """The first moment after the window of NEAR_DUE_WORKDAYS working days from today."""
    today = timezone.localdate(now)
    last = calendar.nth_workday_after(today, NEAR_DUE_WORKDAYS)
    return timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


# --- dispatcher --------------------------------------------------------------------------


def visible_requests(user, kind: str) -> QuerySet[UnitRequest]:
    # visible_to skips the sub-query for who sees every ticket (100 ms at 100,000 tickets).
    requests = UnitRequest.objects.visible_to(user).pending(kind)
    return requests.select_related(
        "assignment__ticket", "assignment__unit", "suggested_unit", "requested_by"
    ).order_by(URGENT_FIRST, "requested_at", "id")


def dispatch_queues(user) -> dict[str, QuerySet]:
    tickets = Ticket.objects.visible_to(user).select_related("citizen")
    return {
        "pending": tickets.filter(status=Status.PENDING_DISPATCH).order_by(
            URGENT_FIRST, "received_at", "id"
        ),
        "send_back": visible_requests(user, UnitRequest.Kind.SEND_BACK),
        "extension": visible_requests(user, UnitRequest.Kind.EXTENSION),
        "exclusion": visible_requests(user, UnitRequest.Kind.EXCLUSION),
        "carry_over": visible_requests(user, UnitRequest.Kind.CARRY_OVER),
        "completion": tickets.filter(status=Status.REPLIED)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit").prefetch_related("replies"),
            )
        )
        .order_by(URGENT_FIRST, "received_at", "id"),
    }


# --- unit inbox --------------------------------------------------------------------------

# The states of the tabs over several states, as their partial indexes list them: the
# filters write them into the SQL (`literal_in`), or SQLite does not use the index.
HANDLING = INBOX_INDEXES["handling"]
WORKING = INBOX_INDEXES["working"]


def inbox_base(user) -> QuerySet[Assignment]:
    """The assignments of the user's own unit (its sub-units have their own inboxes)."""
    if not user.unit_id:
        return Assignment.objects.none()
    return (
        # The unit's own assignments are visible to it by definition (assignment.sees_ticket), so
        # no sub-query over every ticket of the unit is needed here.
        Assignment.objects.filter(unit_id=user.unit_id)
        .select_related("ticket", "ticket__citizen", "unit", "handler", "parent__unit")
        # Served by the tab's partial index (Assignment.Meta): no sort of the unit's rows.
        .order_by(URGENT_FIRST, "reply_due", "id")
    )


def _inbox_filters(*, calendar: WorkCalendar, now: datetime) -> dict[str, Q]:
    """Each inbox tab as one condition, used for its list and for all counts at once."""
    limit = near_due_limit(calendar=calendar, now=now)
    active = Q(active=True)
    finished = Q(ticket__status__in=[Status.COMPLETED, Status.CLOSED])
    return {
        "sign": active & Q(state=Assignment.State.DISPATCHED),
        "handling": active & Q(state__literal_in=HANDLING),
        # The window as a filter on the unit's entries in the tab's order (Unindexed).
        "due_soon": active
        & Q(state__literal_in=WORKING)
        & Q(GreaterThanOrEqual(Unindexed("reply_due"), now))
        & Q(LessThan(Unindexed("reply_due"), limit)),
        "overdue": active & Q(state__literal_in=WORKING, reply_due__lt=now),
        "replied": active & Q(state=Assignment.State.REPLIED) & ~finished,
        # Completion closes every active assignment of the ticket (tickets.services).
        "done": Q(active=False) & finished,
    }


def inbox_queues(user, *, calendar: WorkCalendar, now: datetime) -> dict[str, QuerySet]:
    base = inbox_base(user)
    filters = _inbox_filters(calendar=calendar, now=now)
    queues = {key: base.filter(q) for key, q in filters.items()}
    queues["done"] = queues["done"].order_by("-replied_at", "-id")
    return queues


def inbox_counts(user, *, calendar: WorkCalendar, now: datetime) -> dict[str, int]:
    """Every tab's count in one query, each stopping at paging.CAP + 1 (shown "999+"):
    one aggregate over the unit's whole history grew with it (issue 16)."""
    return capped_counts(inbox_queues(user, calendar=calendar, now=now))


def replies_to_approve(user) -> QuerySet[Reply]:
    """Replies of the leader's unit waiting for sign-off (R-UN-5), urgent first: in the
    order of the partial index `reply_approval_queue` (the reply carries its unit and
    urgency), so a page reads its rows, not every waiting reply (issue 16)."""
    if not user.unit_id:
        return Reply.objects.none()
    return (
        Reply.objects.filter(state=Reply.State.SUBMITTED, unit_id=user.unit_id)
        .select_related("assignment__ticket", "assignment__unit", "written_by")
        .order_by("-urgency", "written_at", "id")
    )


# --- return visits -----------------------------------------------------------------------


# "No deadline" as its own key (NO_VISIT_DUE), not `NULLS LAST`: the same expressions
# as the index `ticket_queue_visits`, so both databases walk it instead of sorting every
# completed ticket (SQLite's indexes put NULLs first; issue 16).
VISIT_SORTS = {
    "due": (NO_VISIT_DUE.asc(), F("visit_due").asc(), "received_at", "id"),
    "-due": (NO_VISIT_DUE.asc(), F("visit_due").desc(), "-received_at", "-id"),
    "received": ("received_at", "id"),
}


def visit_queue(user, sort: str = "due") -> QuerySet[Ticket]:
    """Completed tickets waiting for the call-back, by the policy's visit deadline first
    (R-FB-2); `sort` is a key of VISIT_SORTS."""
    return (
        Ticket.objects.visible_to(user)
        .filter(status=Status.COMPLETED)
        .select_related("citizen")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            "visits",
        )
        .order_by(URGENT_FIRST, *VISIT_SORTS.get(sort, VISIT_SORTS["due"]))
    )


def reminder_counts(assignment_ids: list[int]) -> dict[int, int]:
    """Reminders received per assignment, for one page of the inbox (R-SV-1)."""
    from hotline.supervision.models import Reminder

    rows = (
        Reminder.objects.filter(assignment_id__in=assignment_ids)
        .values("assignment_id")
        .annotate(n=Count("id"))
        .values_list("assignment_id", "n")
    )
    return dict(rows) if assignment_ids else {}
