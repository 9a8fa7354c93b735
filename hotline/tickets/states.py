"""The ticket state machine as data (design rule 2).

`TRANSITIONS[action]` names the statuses an action may start from and the status it
leads to (None: the ticket's status does not change, e.g. an extension request).
`check` is the one place that refuses an illegal transition.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.core.errors import Conflict


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    DECLINED = "declined", _("Declined")
    PENDING_DISPATCH = "pending_dispatch", _("Pending dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    RETURN_REVIEW = "return_review", _("Send-back under review")
    REPLIED = "replied", _("Replied, under review")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


S = Status
OPEN = frozenset(
    {S.RECEIVED, S.PENDING_DISPATCH, S.DISPATCHED, S.HANDLING, S.RETURN_REVIEW, S.REPLIED}
)
FINAL = frozenset({S.DECLINED, S.CLOSED, S.MERGED})

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "answer_now": (frozenset({S.RECEIVED}), S.COMPLETED),  # R-HM-1
    "guide": (frozenset({S.RECEIVED}), S.COMPLETED),  # R-HM-2
    "forward": (frozenset({S.RECEIVED}), S.COMPLETED),  # R-HM-3
    "decline": (frozenset({S.RECEIVED}), S.DECLINED),  # R-IN-4
    "submit": (frozenset({S.RECEIVED}), S.PENDING_DISPATCH),
    "dispatch": (frozenset({S.PENDING_DISPATCH}), S.DISPATCHED),  # R-HM-4/5/6/7
    "sign": (frozenset({S.DISPATCHED, S.HANDLING}), S.HANDLING),  # R-UN-1
    "send_back": (frozenset({S.DISPATCHED, S.HANDLING}), S.RETURN_REVIEW),  # R-UN-2
    "send_back_approve": (frozenset({S.RETURN_REVIEW}), S.PENDING_DISPATCH),
    "send_back_refuse": (frozenset({S.RETURN_REVIEW}), S.HANDLING),
    "extension_request": (frozenset({S.DISPATCHED, S.HANDLING}), None),  # R-UN-3
    "extension_decide": (frozenset({S.DISPATCHED, S.HANDLING, S.RETURN_REVIEW}), None),
    "reply_submit": (frozenset({S.HANDLING}), None),  # R-UN-5: to the unit leader
    "reply_reject": (frozenset({S.HANDLING}), None),
    "reply_approve": (frozenset({S.HANDLING}), S.REPLIED),  # R-UN-6: completion applied
    "assist_report": (frozenset({S.DISPATCHED, S.HANDLING}), None),  # R-HM-7
    "pass_down": (frozenset({S.HANDLING}), None),  # R-HM-11: to the unit's own sub-unit
    "sub_review": (frozenset({S.HANDLING}), None),
    "completion_approve": (frozenset({S.REPLIED}), S.COMPLETED),  # R-UN-6
    "completion_refuse": (frozenset({S.REPLIED}), S.HANDLING),  # R-DL-3
    "visit": (frozenset({S.COMPLETED}), None),  # R-FB-2
    "contact": (frozenset({S.DISPATCHED, S.HANDLING, S.RETURN_REVIEW, S.REPLIED}), None),
    "carry_over": (frozenset({S.DISPATCHED, S.HANDLING}), None),  # 挂账 (decision 0007)
    "exclusion": (frozenset(Status.values) - {S.MERGED, S.DECLINED, S.RECEIVED}, None),
    "close": (frozenset({S.COMPLETED}), S.CLOSED),
    "redo": (frozenset({S.COMPLETED}), S.HANDLING),  # R-FB-3
    "screen": (frozenset({S.COMPLETED}), S.CLOSED),  # R-FB-4
    "merge": (OPEN, S.MERGED),
    # A duplicate of a closed ticket is not merged into it but kept as a repeat of it,
    # the caller told the earlier result (R-IN-4, LX 三).
    "repeat_of_closed": (OPEN, S.DECLINED),
    "annotate": (frozenset(Status.values), None),  # R-DA-1: closed tickets only annotated
}


def check(action: str, status: str) -> str:
    """The status after `action`, or Conflict naming what is wrong."""
    allowed, target = TRANSITIONS[action]
    if status not in allowed:
        raise Conflict(
            gettext("The ticket is “%(status)s”; this action (%(action)s) is not allowed")
            % {"status": Status(status).label, "action": action},
            code="illegal_transition",
        )
    return target or status
