"""The state machines of a ticket's parts as data (design rule 2, decision 0022).

A ticket moves by `tickets.states`; its parts move by the three tables here, in the
manner of Amsterdam Signals' `workflow.py`: for each action, the states it may start
from, the state it leads to (None: the part's state does not change) and the clause
that allows it. The refusal is the message the user reads when the part is elsewhere.

- an assignment (派单记录): dispatched → handling → replied → closed, with the send-back
  review between; a part no longer with its unit (`active` false) takes no action but
  those marked `inactive`;
- a reply (答复): submitted, then approved, rejected or withdrawn; an approved reply the
  hotline does not accept is refused;
- a unit request (退回、延期、剔除、挂账): pending, then approved or refused, once.

`check_assignment`, `check_reply` and `check_request` are the one place that refuses an
illegal move of a part, with the 409 every interface already shows for one (Conflict).
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.core.errors import Conflict
from hotline.tickets.models import Assignment, Reply, UnitRequest


class Move(NamedTuple):
    """One action of a part: where it may start, where it leads, why, and the refusal."""

    sources: frozenset[str]
    target: str | None
    clause: str
    refusal: str | Promise
    inactive: bool = False  # also for a part no longer with its unit


A = Assignment.State
WORKING = frozenset({A.DISPATCHED, A.HANDLING})
NOT_SIGNABLE = _("This ticket has already been signed for or is no longer with your unit")
GONE = _("This ticket is no longer with your unit")
SIGN_FIRST = _("Please sign for the ticket first")

ASSIGNMENT_TRANSITIONS: dict[str, Move] = {
    "sign": Move(frozenset({A.DISPATCHED}), A.HANDLING, "R-UN-1", NOT_SIGNABLE),
    "send_back": Move(WORKING, A.RETURN_REVIEW, "R-UN-2, ZS 17", GONE),
    "send_back_approve": Move(frozenset({A.RETURN_REVIEW}), A.RETURNED, "R-UN-2, ZS 17", GONE),
    "send_back_refuse": Move(frozenset({A.RETURN_REVIEW}), A.HANDLING, "R-DL-3, ZS 17", GONE),
    "extension_request": Move(WORKING, None, "R-UN-3, ZS 18", GONE),
    "assist_report": Move(
        WORKING, A.REPLIED, "R-HM-7, R-HM-11", _("The assisting opinion has already been sent")
    ),
    "pass_down": Move(
        frozenset({A.HANDLING}),
        None,
        "R-HM-11, KM 14(二)",
        _("Please sign for the ticket before passing it down to a sub-unit"),
    ),
    "sub_accept": Move(
        frozenset({A.REPLIED}),
        A.CLOSED,
        "KM 14(二)",
        _("The sub-unit has not reported its result yet"),
    ),
    "sub_refuse": Move(
        frozenset({A.REPLIED}),
        A.HANDLING,
        "KM 14(二)",
        _("The sub-unit has not reported its result yet"),
    ),
    "reply_submit": Move(frozenset({A.HANDLING}), None, "R-UN-4, R-UN-5", SIGN_FIRST),
    "reply_approve": Move(frozenset({A.HANDLING}), A.REPLIED, "R-UN-5, R-UN-6", SIGN_FIRST),
    "completion_approve": Move(
        frozenset({A.REPLIED}), A.CLOSED, "R-UN-6", _("The lead unit has not replied")
    ),
    "completion_refuse": Move(
        frozenset({A.REPLIED}), A.HANDLING, "R-UN-6, ZS 22", _("The lead unit has not replied")
    ),
    "redo": Move(frozenset({A.CLOSED}), A.HANDLING, "R-FB-3", _("The ticket is not completed")),
    "contact": Move(WORKING | {A.RETURN_REVIEW, A.REPLIED}, None, "R-UN-4, ZS 20(一)", GONE),
    "carry_over": Move(
        WORKING,
        None,
        "R-UN-5, ZS 21, decision 0007",
        _("This ticket is no longer being handled and cannot be carried over"),
    ),
    # A unit may ask that any ticket it had, finished or sent back, not count against it.
    "exclusion": Move(frozenset(A.values), None, "decision 0007", GONE, inactive=True),
}

R = Reply.State
DECIDED = _("The unit leader has already reviewed this reply")

REPLY_TRANSITIONS: dict[str, Move] = {
    "withdraw": Move(
        frozenset({R.SUBMITTED}),
        R.WITHDRAWN,
        "R-UN-5",
        _("The unit leader has already reviewed this reply; it cannot be withdrawn"),
    ),
    "approve": Move(frozenset({R.SUBMITTED}), R.APPROVED, "R-UN-5, R-UN-6", DECIDED),
    "reject": Move(frozenset({R.SUBMITTED}), R.REJECTED, "R-UN-5", DECIDED),
    # The hotline does not accept the completion: the approved reply goes back (ZS 22).
    "refuse": Move(
        frozenset({R.APPROVED}), R.REFUSED, "R-UN-6, ZS 22", _("This reply is not approved")
    ),
}

D = UnitRequest.Decision
HANDLED = _("This request has already been handled")

REQUEST_TRANSITIONS: dict[str, Move] = {
    "approve": Move(frozenset({D.PENDING}), D.APPROVED, "R-UN-2, R-UN-3, decision 0007", HANDLED),
    "refuse": Move(frozenset({D.PENDING}), D.REFUSED, "R-UN-2, R-UN-3, decision 0007", HANDLED),
}


def _check(table: dict[str, Move], action: str, state: str, *, active: bool = True) -> str:
    move = table[action]
    if state not in move.sources or not (active or move.inactive):
        raise Conflict(str(move.refusal))
    return move.target or state


def check_assignment(action: str, assignment: Assignment) -> str:
    """The assignment's state after `action`, or Conflict with the action's refusal."""
    return _check(ASSIGNMENT_TRANSITIONS, action, assignment.state, active=assignment.active)


def check_reply(action: str, reply: Reply) -> str:
    """The reply's state after `action`, or Conflict with the action's refusal."""
    return _check(REPLY_TRANSITIONS, action, reply.state)


def check_request(action: str, request: UnitRequest) -> str:
    """The request's decision after `action`, or Conflict with the action's refusal."""
    return _check(REQUEST_TRANSITIONS, action, request.decision)
