"""What "overdue" means, written once (issue 15 item 14): the supervisor's board and the
monthly bulletin count with this rule, so their numbers agree.

An assignment is overdue at `now` when its reply deadline has passed and it was either
not answered yet (still with the unit: dispatched or handling) or answered after the
deadline. Work sent back to the hotline is the hotline's, not the unit's: not counted.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q

from hotline.supervision.reminding import WATCHED
from hotline.tickets.models import Assignment


def overdue(now: datetime) -> Q:
    """Overdue at `now` (open past its deadline, or answered late)."""
    return (
        Q(reply_due__lt=now)
        & ~Q(state=Assignment.State.RETURNED)
        & (Q(replied_at__isnull=True, state__in=WATCHED) | Q(replied_at__gt=F("reply_due")))
    )


def overdue_open(now: datetime) -> Q:
    """Overdue and still with the unit: the board's 已超期 rows."""
    return overdue(now) & Q(active=True, state__in=WATCHED)


def days_overdue(due: datetime | None, now: datetime) -> int:
    """Whole days past the deadline (0 on the day it passed); for the board and exports."""
    if due is None or now <= due:
        return 0
    return (now - due).days
