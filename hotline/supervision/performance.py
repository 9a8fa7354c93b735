"""Staff performance (R-AS-3, SR 七(二), ZS 33): per operator (工号) the calls taken,
answered at once, declined, tickets created, the citizens' satisfaction with the operator
and the quality-review results; per return visitor the visits made, failed and done on
time. Counted from tickets, visits and reviews of the period, never from counters.

A visit counts in the period in which it was recorded; of a ticket's visits only the
latest round's counts for satisfaction (a redo's visit replaces the first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from hotline.accounts.models import Role, User
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.reports import indicators as ind
from hotline.supervision.models import QualityReview
from hotline.tickets.models import IntakeOutcome, Ticket, TicketChannel, Visit

MAX_PERIOD_DAYS = 3 * 366
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SATISFIED = ind.PLEASED_ANSWERS  # the operator's figures are defined in reports.indicators


@dataclass(frozen=True)
class Period:
    first: date  # both days included
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


def _day(text: str, label: str) -> date:
    if not DATE.match(text):
        raise DomainError(
            gettext("The %(label)s must be written YYYY-MM-DD (received: %(text)s)")
            % {"label": label, "text": text[:20]}
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            gettext("The %(label)s is not a valid date: %(text)s") % {"label": label, "text": text}
        ) from None


def parse_period(first: str | None, last: str | None) -> Period:
    """The period of the page's filter; empty: this month up to today. Errors in the
    site language."""
    today = timezone.localtime(clock.now()).date()
    start = (
        _day(first.strip(), gettext("start date"))
        if first and first.strip()
        else today.replace(day=1)
    )
    end = _day(last.strip(), gettext("end date")) if last and last.strip() else today
    if end < start:
        raise DomainError(gettext("The end date is before the start date"))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainError(gettext("The period may not be longer than 3 years"))
    return Period(start, end)


def rate(numerator: int, denominator: int) -> str:
    """A percentage with one decimal; "—" when there is nothing to divide."""
    return f"{100 * numerator / denominator:.1f}%" if denominator else "—"


@dataclass
class OperatorRow:
    user: User
    created: int = 0  # tickets created (受理工单)
    calls: int = 0  # of which by phone (接听来电)
    answered_now: int = 0  # 直接答复
    declined: int = 0  # 不予受理
    scored: dict[str, int] = field(default_factory=dict)  # operator satisfaction
    reviewed: int = 0
    score: float | None = None  # average quality score

    @property
    def scored_total(self) -> int:
        return sum(self.scored.values())

    @property
    def satisfied(self) -> int:
        return sum(self.scored.get(s, 0) for s in SATISFIED)

    @property
    def satisfaction_rate(self) -> str:
        """话务员满意率 (indicators.OPERATOR_RATE): "—" when nobody rated the operator."""
        return ind.Ratio(self.satisfied, self.scored_total).display()


@dataclass
class VisitorRow:
    user: User
    made: int = 0  # calls made (successful or not)
    done: int = 0
    failed: int = 0
    on_time: int = 0  # successful and by the visit deadline

    @property
    def on_time_rate(self) -> str:
        return rate(self.on_time, self.done)


def _latest_round(visits):
    """Visits not replaced by a later round on the same ticket."""
    later = Visit.objects.filter(ticket=OuterRef("ticket"), round__gt=OuterRef("round"))
    return visits.filter(~Exists(later))


def operators(period: Period) -> list[OperatorRow]:
    """Every operator, with what they did in the period (an idle operator shows zeros)."""
    rows = {
        u.pk: OperatorRow(u)
        for u in User.objects.filter(role=Role.OPERATOR).order_by("operator_no", "username")
    }
    tickets = (
        Ticket.objects.filter(
            received_at__gte=period.start, received_at__lt=period.end, operator_id__in=rows
        )
        .values("operator_id")
        .annotate(
            created=Count("pk"),
            calls=Count("pk", filter=Q(channel=TicketChannel.PHONE)),
            answered_now=Count("pk", filter=Q(intake_outcome=IntakeOutcome.ANSWER_NOW)),
            declined=Count("pk", filter=Q(intake_outcome=IntakeOutcome.DECLINE)),
        )
        .order_by()
    )
    for t in tickets:
        row = rows[t["operator_id"]]
        row.created, row.calls = t["created"], t["calls"]
        row.answered_now, row.declined = t["answered_now"], t["declined"]
    visits = _latest_round(
        Visit.objects.filter(
            at__gte=period.start,
            at__lt=period.end,
            outcome=Visit.Outcome.DONE,
            ticket__operator_id__in=rows,
        ).exclude(operator_satisfaction="")
    )
    for v in (
        visits.values("ticket__operator_id", "operator_satisfaction")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[v["ticket__operator_id"]].scored[v["operator_satisfaction"]] = v["n"]
    reviews = (
        QualityReview.objects.filter(
            reviewed_at__gte=period.start, reviewed_at__lt=period.end, operator_id__in=rows
        )
        .values("operator_id")
        .annotate(n=Count("pk"), score=Avg("score"))
        .order_by()
    )
    for r in reviews:
        row = rows[r["operator_id"]]
        row.reviewed, row.score = r["n"], round(r["score"], 1)
    return list(rows.values())


def visitors(period: Period) -> list[VisitorRow]:
    """Every return visitor, with the calls they made in the period."""
    rows = {
        u.pk: VisitorRow(u) for u in User.objects.filter(role=Role.VISITOR).order_by("username")
    }
    done = Q(outcome=Visit.Outcome.DONE)
    for v in (
        Visit.objects.filter(at__gte=period.start, at__lt=period.end, by_id__in=rows)
        .values("by_id")
        .annotate(
            made=Count("pk"),
            done=Count("pk", filter=done),
            on_time=Count(
                "pk",
                filter=done
                & (Q(ticket__visit_due__isnull=True) | Q(at__lte=F("ticket__visit_due"))),
            ),
        )
        .order_by()
    ):
        row = rows[v["by_id"]]
        row.made, row.done, row.on_time = v["made"], v["done"], v["on_time"]
        row.failed = row.made - row.done
    return list(rows.values())


def operator_columns() -> list[str]:
    labels = {m.key: m.label for m in ind.OPERATOR_MEASURES}
    return [
        "工号",
        "姓名",
        *(labels[k] for k in ("created", "calls", "answered_now", "declined")),
        labels["operator_rated"],
        labels["operator_pleased"],
        ind.OPERATOR_RATE.label,
        labels["reviewed"],
        "质检平均分",
    ]


def operator_cells(row: OperatorRow) -> list:
    return [
        row.user.operator_no,
        row.user.full_name or row.user.username,
        row.created,
        row.calls,
        row.answered_now,
        row.declined,
        row.scored_total,
        row.satisfied,
        row.satisfaction_rate,
        row.reviewed,
        "—" if row.score is None else row.score,
    ]


def visitor_columns() -> list[str]:
    return ["回访员", "回访次数", "回访成功", "回访未成功", "按时回访", "按时回访率"]


def visitor_cells(row: VisitorRow) -> list:
    return [
        row.user.full_name or row.user.username,
        row.made,
        row.done,
        row.failed,
        row.on_time,
        row.on_time_rate,
    ]
