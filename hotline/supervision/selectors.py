"""What the supervision pages show: near-due and overdue work with its ladder level, the
public criticism list, the monthly bulletin, meetings, and a ticket's documents."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from hotline.core import clock, dates
from hotline.directory.models import Unit
from hotline.sla.deadlines import SHANGHAI as SH
from hotline.sla.policies import RungMeasure
from hotline.supervision import ladder as ladder_math
from hotline.supervision.models import Document, Escalation, Meeting, Reminder
from hotline.supervision.overdue import overdue as overdue_rule
from hotline.supervision.overdue import overdue_open
from hotline.supervision.reminding import WATCHED
from hotline.tickets.models import Assignment, Ticket, WarningLevel

SORTS = {"due": "reply_due", "-due": "-reply_due", "unit": "unit__name", "number": "ticket__number"}


def _current_rung(field: str) -> Subquery:
    """The highest rung reached for the assignment's current deadline."""
    rows = Escalation.objects.filter(
        assignment=OuterRef("pk"), reply_due=OuterRef("reply_due")
    ).order_by("-level", "-id")
    return Subquery(rows.values(field)[:1])


def warned(user, *, level: str = "", sort: str = "due", unit: str = "") -> QuerySet[Assignment]:
    """Near-due and overdue work on the board; 已超期 by the one rule of `overdue` (the
    bulletin counts with it too), `unit` a unit's code (with its sub-units' work)."""
    now = clock.now()
    late = overdue_open(now)
    rows = Assignment.objects.visible_to(user).filter(active=True, state__in=WATCHED)
    if level == WarningLevel.RED:
        rows = rows.filter(late)
    elif level == WarningLevel.YELLOW:
        rows = rows.filter(warning=WarningLevel.YELLOW).exclude(late)
    else:
        rows = rows.filter(Q(warning__in=[WarningLevel.YELLOW, WarningLevel.RED]) | late)
    if unit:
        rows = rows.filter(unit__code=unit)
    reminders = (
        Reminder.objects.filter(assignment=OuterRef("pk"))
        .order_by()
        .values("assignment")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        rows.select_related("ticket", "unit")
        .annotate(
            reminder_count=Coalesce(Subquery(reminders, output_field=IntegerField()), 0),
            ladder_level=_current_rung("level"),
            ladder_label=_current_rung("label"),
        )
        .order_by(SORTS.get(sort, "reply_due"), "id")
    )


def by_unit(user) -> list[dict]:
    late = overdue_open(clock.now())
    rows = (
        Assignment.objects.visible_to(user)
        .filter(active=True, state__in=WATCHED)
        .values("unit__code", "unit__name")
        .annotate(
            yellow=Count("id", filter=Q(warning=WarningLevel.YELLOW) & ~late),
            red=Count("id", filter=late),
            open=Count("id"),
        )
        .filter(Q(yellow__gt=0) | Q(red__gt=0))
        .order_by("-red", "-yellow", "unit__name")
    )
    return list(rows)


# --- months ------------------------------------------------------------------------------


def parse_month(text: str | None) -> date:
    """ "2026-10" → 2026-10-01; anything else: the current month."""
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = clock.now().astimezone(SH).date()
        return today.replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=SH)
    following = next_month(month)
    return start, datetime(following.year, following.month, 1, tzinfo=SH)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --- public criticism (R-SV-3) -----------------------------------------------------------


def criticism_list(month: date) -> list[dict[str, Any]]:
    """Assignments entered on the public criticism list in the month: reminded twice or
    more and still not handled when the ladder's criticism rung fell due (KM 17; LX 四4)."""
    start, end = month_bounds(month)
    rows = (
        Escalation.objects.filter(measure=RungMeasure.CRITICISM, at__gte=start, at__lt=end)
        .select_related("ticket", "unit", "assignment")
        .order_by("unit__sort_order", "unit__code", "at", "id")
    )
    reminded = _reminded_counts([row.assignment_id for row in rows])
    return [
        {
            "unit": row.unit.name,
            "unit_code": row.unit.code,
            "number": row.ticket.number,
            "summary": row.ticket.summary,
            "due": dates.local_moment(row.reply_due),
            "reminded": reminded.get(row.assignment_id, 0),
            "at": dates.local_moment(row.at),
            "state": row.assignment.get_state_display(),
        }
        for row in rows
    ]


def _reminded_counts(assignment_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for pk, n in (
        Reminder.objects.filter(assignment_id__in=assignment_ids)
        .values_list("assignment_id")
        .annotate(n=Count("id"))
    ):
        counts[pk] += n
    for pk, n in (
        Escalation.objects.filter(assignment_id__in=assignment_ids, measure=RungMeasure.URGE)
        .values_list("assignment_id")
        .annotate(n=Count("id"))
    ):
        counts[pk] += n
    return counts


# --- the monthly bulletin (月通报, R-SV-6, KJ 三(三)) --------------------------------------


def _count_by(rows, unit_field: str) -> dict[int, int]:
    return dict(rows.order_by().values_list(unit_field).annotate(n=Count("id")))


def bulletin(month: date) -> dict[str, Any]:
    """Reminders, leaders' urging, documents, overdue work and public criticism by unit
    in one month. For the hotline (all units); every number is counted from events."""
    start, end = month_bounds(month)
    now = clock.now()
    dispatched = _count_by(
        Assignment.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end), "unit"
    )
    reminders = _count_by(Reminder.objects.filter(at__gte=start, at__lt=end), "assignment__unit")
    escalations = Escalation.objects.filter(at__gte=start, at__lt=end)
    urged = _count_by(escalations.filter(measure=RungMeasure.URGE), "unit")
    criticised = _count_by(escalations.filter(measure=RungMeasure.CRITICISM), "unit")
    documents = Document.objects.filter(issued_at__gte=start, issued_at__lt=end)
    letters = _count_by(documents.filter(kind=Document.Kind.LETTER), "unit")
    recommendations = _count_by(documents.filter(kind=Document.Kind.RECOMMENDATION), "unit")
    overdue = _count_by(
        Assignment.objects.filter(reply_due__gte=start, reply_due__lt=end).filter(
            overdue_rule(now)
        ),
        "unit",
    )
    columns = {
        "dispatched": dispatched,
        "reminders": reminders,
        "urged": urged,
        "letters": letters,
        "recommendations": recommendations,
        "overdue": overdue,
        "criticised": criticised,
    }
    unit_ids = set().union(*(set(c) for c in columns.values()))
    rows = []
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "code"):
        row: dict[str, Any] = {"unit": unit.name, "code": unit.code}
        row.update({key: values.get(unit.pk, 0) for key, values in columns.items()})
        rows.append(row)
    # The units that need attention first: criticism, overdue, urging.
    rows.sort(key=lambda r: (-r["criticised"], -r["overdue"], -r["urged"], -r["reminders"]))
    totals = {key: sum(values.values()) for key, values in columns.items()}
    city = ladder_math.city_name()
    return {
        "month": month,
        "start": start,
        "end": end,
        "title": f"{city}12345热线{dates.document_month(month)}通报",
        "issuer": ladder_math.issuer_name(),
        "issued": now,
        "issued_text": dates.document_date(now),
        "period": f"{dates.document_date(start)}至{dates.document_date(end - timedelta(days=1))}",
        "rows": rows,
        "totals": totals,
        "criticism": criticism_list(month),
        "ranking": _ranking(month),  # R-SV-6: the rates and the ranking (hotline.reports)
    }


def _ranking(month: date) -> list[dict[str, Any]]:
    from hotline.reports.selectors import bulletin_ranking

    return bulletin_ranking(month)


# --- meetings (R-SV-4, R-SV-5) -----------------------------------------------------------


def meetings(user, *, kind: str = "") -> QuerySet[Meeting]:
    rows = Meeting.objects.prefetch_related("units", "tickets").select_related("recorded_by")
    if kind in Meeting.Kind.values:
        rows = rows.filter(kind=kind)
    return rows


def follow_ups_due(*, until: date) -> QuerySet[Meeting]:
    """Meetings whose follow-up falls due by `until` (shown on the board)."""
    return Meeting.objects.filter(follow_up_due__isnull=False, follow_up_due__lte=until).order_by(
        "follow_up_due"
    )


# --- documents ------------------------------------------------------------------------------


def documents_visible_to(user) -> QuerySet[Document]:
    """Document.objects.visible_to: supervisors, and the units they are addressed to."""
    return Document.objects.visible_to(user).select_related("ticket", "unit")


def recent_documents(user, *, limit: int = 10) -> list[Document]:
    return list(documents_visible_to(user).order_by("-issued_at", "-id")[:limit])


def ticket_supervision(user, ticket: Ticket) -> dict[str, Any]:
    """For the ticket page (the caller has checked the user sees `ticket`): its documents,
    ladder rungs and meetings. Not through `documents_visible_to`: its sub-select over
    every ticket the unit sees made a unit's ticket page four times slower."""
    documents = Document.objects.addressed_to(user).filter(ticket=ticket).select_related("unit")
    return {
        "documents": list(documents.order_by("issued_at")),
        "escalations": list(
            Escalation.objects.filter(ticket=ticket).select_related("unit").order_by("at", "id")
        ),
        "meetings": list(ticket.supervision_meetings.order_by("held_at")),
    }
