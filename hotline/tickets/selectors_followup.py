"""Reads for the assessment's inputs (issue 12): contacts (R-UN-4), exclusions (剔除)
and carry-overs (挂账). Scoped by each model's `visible_to(user)`."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from hotline.directory.models import Unit
from hotline.tickets.models import Assignment, Contact, Ticket, UnitRequest

APPROVED = UnitRequest.Decision.APPROVED


def excluded_assignments(
    *,
    user=None,
    unit: Unit | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Assignment]:
    """Assignments whose ticket the hotline agreed to exclude from the unit's assessment,
    optionally decided in [start, end). Without `user`: every one (for the assessment's
    own computation, which is scoped by the caller)."""
    approved = UnitRequest.objects.filter(
        assignment=OuterRef("pk"), kind=UnitRequest.Kind.EXCLUSION, decision=APPROVED
    )
    if start is not None:
        approved = approved.filter(decided_at__gte=start)
    if end is not None:
        approved = approved.filter(decided_at__lt=end)
    queryset = Assignment.objects.filter(Exists(approved))
    if user is not None:
        queryset = queryset.visible_to(user)
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    return queryset.select_related("ticket", "unit")


def is_excluded(assignment: Assignment) -> bool:
    return assignment.requests.filter(kind=UnitRequest.Kind.EXCLUSION, decision=APPROVED).exists()


def carry_overs(*, user, decision: str = APPROVED, open_only: bool = True) -> QuerySet[UnitRequest]:
    """Carry-overs (挂账) by decision, promised date first. `open_only`: the assignment is
    still being handled (the list supervisors watch)."""
    queryset = UnitRequest.objects.visible_to(user).filter(kind=UnitRequest.Kind.CARRY_OVER)
    if decision:
        queryset = queryset.filter(decision=decision)
    if open_only:
        queryset = queryset.filter(
            assignment__active=True,
            assignment__state__in=[Assignment.State.DISPATCHED, Assignment.State.HANDLING],
        )
    return queryset.select_related(
        "assignment__ticket", "assignment__unit", "requested_by", "decided_by"
    ).order_by("promised_date", "id")


def pending_requests(*, user, kind: str) -> QuerySet[UnitRequest]:
    """The hotline's review queue of one kind of unit request, oldest first."""
    return (
        UnitRequest.objects.visible_to(user)
        .pending(kind)
        .select_related("assignment__ticket", "assignment__unit", "requested_by")
        .order_by("requested_at", "id")
    )


def unit_requests(*, user, assignment: Assignment, kinds: tuple[str, ...]) -> list[UnitRequest]:
    return list(
        UnitRequest.objects.visible_to(user)
        .filter(assignment=assignment, kind__in=kinds)
        .order_by("requested_at", "id")
    )


def contacts_for(*, user, ticket: Ticket) -> list[Contact]:
    """The units' contacts with the citizen on one ticket, in time order."""
    return list(
        Contact.objects.visible_to(user)
        .filter(assignment__ticket=ticket)
        .select_related("assignment__unit", "by")
        .order_by("at", "id")
    )
