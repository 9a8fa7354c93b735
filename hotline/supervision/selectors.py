"""What the supervisor board shows: near-due and overdue work by unit and by ticket."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hotline.supervision.services import WATCHED
from hotline.tickets.models import Assignment, Ticket, WarningLevel

SORTS = {"due": "reply_due", "-due": "-reply_due", "unit": "unit__name", "number": "ticket__number"}


def warned(user, *, level: str = "", sort: str = "due") -> QuerySet[Assignment]:
    rows = Assignment.objects.filter(
        ticket__in=Ticket.objects.visible_to(user),
        active=True,
        state__in=WATCHED,
        warning__in=[WarningLevel.YELLOW, WarningLevel.RED],
    )
    if level in (WarningLevel.YELLOW, WarningLevel.RED):
        rows = rows.filter(warning=level)
    return (
        rows.select_related("ticket", "unit")
        .annotate(reminder_count=Count("reminders"))
        .order_by(SORTS.get(sort, "reply_due"), "id")
    )


def by_unit(user) -> list[dict]:
    rows = (
        Assignment.objects.filter(
            ticket__in=Ticket.objects.visible_to(user), active=True, state__in=WATCHED
        )
        .values("unit__code", "unit__name")
        .annotate(
            yellow=Count("id", filter=Q(warning=WarningLevel.YELLOW)),
            red=Count("id", filter=Q(warning=WarningLevel.RED)),
            open=Count("id"),
        )
        .filter(Q(yellow__gt=0) | Q(red__gt=0))
        .order_by("-red", "-yellow", "unit__name")
    )
    return list(rows)
