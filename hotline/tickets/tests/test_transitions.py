"""Every (action, state) pair of the parts' state machines, through the real services
(decision 0022): a pair in the table succeeds; a pair not in it is refused with the 409
(Conflict) and writes nothing.

Each case builds one part in one state with `Flow.to()` and the services, then tries every
action on it: an allowed one inside a savepoint rolled back afterwards, so the next action
starts from the same state. A (role, state) no service can reach (an assist under send-back
review) is covered by the check alone.
"""

import datetime as dt

import pytest
from django.db import transaction

from hotline.accounts.models import User
from hotline.core.errors import Conflict, DomainError
from hotline.sla.models import PolicyVersion
from hotline.tickets import services as s
from hotline.tickets.models import (
    Assignment,
    AssignmentPause,
    Contact,
    Reply,
    TicketEvent,
    UnitRequest,
)
from hotline.tickets.part_states import (
    ASSIGNMENT_TRANSITIONS,
    REPLY_TRANSITIONS,
    REQUEST_TRANSITIONS,
    check_assignment,
    check_reply,
    check_request,
)

A = Assignment.State
LEAD, ASSIST, SUB = "QX-CD", "QX-ZJJ", "QX-CD-DM"  # the lead's own community is its sub-unit


class _Undo(Exception):
    """Raised inside a savepoint to roll an allowed action back."""


def _ticket_of(part):
    if isinstance(part, Assignment):
        return part.ticket
    return part.assignment.ticket


def _snapshot(ticket):
    """Everything an action may write about the ticket."""
    ticket.refresh_from_db()
    parts = Assignment.objects.filter(ticket=ticket)
    return (
        ticket.status,
        ticket.version,
        TicketEvent.objects.filter(ticket=ticket).count(),
        sorted(parts.values_list("pk", "state", "active", "reply_due")),
        sorted(Reply.objects.filter(assignment__ticket=ticket).values_list("pk", "state")),
        sorted(UnitRequest.objects.filter(assignment__ticket=ticket).values_list("pk", "decision")),
        AssignmentPause.objects.filter(assignment__ticket=ticket).count(),
        Contact.objects.filter(assignment__ticket=ticket).count(),
    )


def _drive(part, call, allowed: bool, label: str) -> None:
    """Run one action on a fresh copy of `part`; assert the table's verdict."""
    fresh = type(part).objects.get(pk=part.pk)
    if allowed:
        try:
            with transaction.atomic():
                call(fresh)
                raise _Undo
        except _Undo:
            return
        except DomainError as exc:  # pragma: no cover - the failure message says it all
            pytest.fail(f"{label}: allowed by the table but refused: {exc.message}")
    before = _snapshot(_ticket_of(part))
    with pytest.raises(Conflict) as refused:
        call(fresh)
    assert refused.value.status == 409, label
    assert _snapshot(_ticket_of(part)) == before, f"{label}: refused but wrote"


# --- building a part in a state ---------------------------------------------------------


def _member(assignment, role):
    return User.objects.filter(unit=assignment.unit_id, role=role).order_by("pk").first()


def _clerk(assignment):
    return _member(assignment, "unit_clerk")


def _leader(assignment):
    return _member(assignment, "unit_leader")


def _ticket(flow, state):
    lx = PolicyVersion.objects.get(policy__code="LX")  # LX allows extensions
    return flow.to(state, lead=LEAD, assists=(ASSIST,), policy_version=lx)


def _part(ticket, role):
    return ticket.assignments.get(role=role)


def _send_back_approved(flow, ticket):
    request = UnitRequest.objects.get(assignment__ticket=ticket, kind="send_back")
    s.send_back_decide(actor=flow.p["dispatcher1"], request=request, approve=True, note="同意")


def _with_sub(flow, state):
    """The lead passes its part down to its community, which goes as far as `state`."""
    User.objects.get_or_create(username="dm_clerk", role="unit_clerk", unit=flow.u[SUB])
    ticket = _ticket(flow, "handling")
    lead = _part(ticket, "lead")
    sub = s.assignment_pass_down(actor=_clerk(lead), assignment=lead, unit=flow.u[SUB])
    if state == A.RETURNED:
        s.send_back_request(
            actor=_clerk(lead), assignment=lead, reason="非本单位", legal_basis="三定"
        )
        _send_back_approved(flow, ticket)
        return _part(ticket, "sub")
    if state == A.DISPATCHED:
        return sub
    s.assignment_sign(actor=_clerk(sub), assignment=sub)
    if state == A.HANDLING:
        return sub
    s.assist_report(actor=_clerk(sub), assignment=sub, text="已上门核实")
    if state == A.REPLIED:
        return sub
    s.sub_review(actor=_clerk(lead), sub=sub, accept=True)
    return _part(ticket, "sub")


def _assist(flow, state):
    if state == A.RETURNED:
        ticket = _ticket(flow, "return_review")
        _send_back_approved(flow, ticket)
        return _part(ticket, "assist")
    ticket = _ticket(flow, "dispatched" if state == A.DISPATCHED else "handling")
    assist = _part(ticket, "assist")
    if state != A.DISPATCHED:
        s.assignment_sign(actor=_clerk(assist), assignment=assist)
    if state == A.REPLIED:
        s.assist_report(actor=_clerk(assist), assignment=assist, text="已走访")
    return assist


def _lead(flow, state):
    if state == A.RETURNED:
        ticket = _ticket(flow, "return_review")
        _send_back_approved(flow, ticket)
    else:
        ticket = _ticket(flow, "completed" if state == A.CLOSED else state)
    return _part(ticket, "lead")


BUILDERS = {
    "lead": (_lead, {A.DISPATCHED, A.HANDLING, A.RETURN_REVIEW, A.REPLIED, A.CLOSED, A.RETURNED}),
    "assist": (_assist, {A.DISPATCHED, A.HANDLING, A.REPLIED, A.RETURNED}),
    "sub": (_with_sub, {A.DISPATCHED, A.HANDLING, A.REPLIED, A.CLOSED, A.RETURNED}),
}


# --- the assignment's actions: (the part's role, the service call) ----------------------


def _pending(assignment, kind):
    return UnitRequest.objects.get(assignment=assignment, kind=kind, decision="pending")


def _submitted(assignment):
    """The part's reply for the leader (written now: the reply leaves the part's state)."""
    reply = assignment.replies.filter(state=Reply.State.SUBMITTED).first()
    return reply or s.reply_submit(actor=_clerk(assignment), assignment=assignment, text="已修复")


def _dispatcher(assignment):
    return User.objects.get(username="dispatcher1")


LATER = dt.date(2026, 9, 30)

ASSIGNMENT_ACTIONS = {
    "sign": ("lead", lambda a: s.assignment_sign(actor=_clerk(a), assignment=a)),
    "send_back": (
        "lead",
        lambda a: s.send_back_request(
            actor=_clerk(a), assignment=a, reason="非本单位", legal_basis="三定"
        ),
    ),
    "send_back_approve": (
        "lead",
        lambda a: s.send_back_decide(
            actor=_dispatcher(a), request=_pending(a, "send_back"), approve=True, note="同意"
        ),
    ),
    "send_back_refuse": (
        "lead",
        lambda a: s.send_back_decide(
            actor=_dispatcher(a), request=_pending(a, "send_back"), approve=False, note="属本单位"
        ),
    ),
    "extension_request": (
        "lead",
        lambda a: s.extension_request(actor=_clerk(a), assignment=a, reason="需鉴定", days=2),
    ),
    "assist_report": (
        "assist",
        lambda a: s.assist_report(actor=_clerk(a), assignment=a, text="已走访"),
    ),
    "pass_down": (
        "lead",
        lambda a: s.assignment_pass_down(
            actor=_clerk(a), assignment=a, unit=a.unit.children.get(code=SUB)
        ),
    ),
    "sub_accept": ("sub", lambda a: s.sub_review(actor=_clerk(a.parent), sub=a, accept=True)),
    "sub_refuse": (
        "sub",
        lambda a: s.sub_review(actor=_clerk(a.parent), sub=a, accept=False, note="补充"),
    ),
    "reply_submit": (
        "lead",
        lambda a: s.reply_submit(actor=_clerk(a), assignment=a, text="已修复"),
    ),
    "reply_approve": (
        "lead",
        lambda a: s.reply_decide(actor=_leader(a), reply=_submitted(a), approve=True),
    ),
    "completion_approve": (
        "lead",
        lambda a: s.completion_decide(actor=_dispatcher(a), ticket=a.ticket, approve=True),
    ),
    "completion_refuse": (
        "lead",
        lambda a: s.completion_decide(
            actor=_dispatcher(a), ticket=a.ticket, approve=False, note="未解决"
        ),
    ),
    "redo": (
        "lead",
        lambda a: s.ticket_redo(actor=_dispatcher(a), ticket=a.ticket, reason="不满意"),
    ),
    "contact": (
        "lead",
        lambda a: s.contact_record(
            user=_clerk(a),
            assignment=a,
            at=a.dispatched_at + dt.timedelta(minutes=1),
            channel="phone",
            result="reached",
        ),
    ),
    "carry_over": (
        "lead",
        lambda a: s.carry_over_request(
            actor=_clerk(a), assignment=a, plan="纳入改造计划", promised_date=LATER
        ),
    ),
    "exclusion": (
        "lead",
        lambda a: s.exclusion_request(
            actor=_clerk(a), assignment=a, category="malicious", reason="恶意来电"
        ),
    ),
}

# A service reaches some actions only through the part it needs: a send-back decision
# through the pending send-back request (its part is under review), a reply decision
# through a submitted reply (its part is handling). Elsewhere the check alone refuses.
NEEDS = {
    "send_back_approve": {A.RETURN_REVIEW},
    "send_back_refuse": {A.RETURN_REVIEW},
    "reply_approve": {A.HANDLING},
}


def test_every_assignment_action_is_in_the_table_and_driven():
    assert set(ASSIGNMENT_ACTIONS) == set(ASSIGNMENT_TRANSITIONS)
    for move in ASSIGNMENT_TRANSITIONS.values():
        assert move.sources <= set(A.values) and move.clause
        assert move.target is None or move.target in A.values


@pytest.mark.parametrize(
    "role",
    ["lead", "assist", "sub"],
)
def test_assignment_machine_both_ways(flow, at, role):
    """One demo city per role (its set-up is the cost), a ticket per state."""
    at(2025, 11, 24, 9, 0)  # a Monday: every window of the policy is open
    builder, reachable = BUILDERS[role]
    for state in sorted(reachable):
        part = Assignment.objects.get(pk=builder(flow, state).pk)
        assert (part.state, part.role) == (state, role)
        for action, (needs_role, call) in ASSIGNMENT_ACTIONS.items():
            if needs_role != role or state not in NEEDS.get(action, {state}):
                continue
            move = ASSIGNMENT_TRANSITIONS[action]
            allowed = state in move.sources and (part.active or move.inactive)
            _drive(part, call, allowed, f"{action} from {role} {state}")


@pytest.mark.parametrize("action", sorted(ASSIGNMENT_TRANSITIONS))
def test_assignment_check_alone_for_every_state(action):
    """The pairs no service reaches (and every other) by the check itself."""
    move = ASSIGNMENT_TRANSITIONS[action]
    for state in A.values:
        for active in (True, False):
            part = Assignment(state=state, active=active)
            if state in move.sources and (active or move.inactive):
                assert check_assignment(action, part) == (move.target or state)
            else:
                with pytest.raises(Conflict):
                    check_assignment(action, part)


# --- replies ----------------------------------------------------------------------------


def _reply(flow, state):
    R = Reply.State
    if state == R.APPROVED:
        return _part(_ticket(flow, "replied"), "lead").replies.get()
    if state == R.REFUSED:
        ticket = _ticket(flow, "replied")
        s.completion_decide(
            actor=flow.p["dispatcher1"], ticket=ticket, approve=False, note="未解决"
        )
        return Reply.objects.get(assignment__ticket=ticket)
    ticket = _ticket(flow, "handling")
    lead = _part(ticket, "lead")
    reply = s.reply_submit(actor=_clerk(lead), assignment=lead, text="已修复")
    if state == R.WITHDRAWN:
        s.reply_withdraw(actor=_clerk(lead), reply=reply)
    elif state == R.REJECTED:
        s.reply_decide(actor=_leader(lead), reply=reply, approve=False, note="补充")
    return Reply.objects.get(pk=reply.pk)


REPLY_ACTIONS = {
    "withdraw": lambda r: s.reply_withdraw(actor=_clerk(r.assignment), reply=r),
    "approve": lambda r: s.reply_decide(actor=_leader(r.assignment), reply=r, approve=True),
    "reject": lambda r: s.reply_decide(
        actor=_leader(r.assignment), reply=r, approve=False, note="补充"
    ),
    # The hotline's refusal takes the lead's approved reply: only that one is reachable.
    "refuse": lambda r: s.completion_decide(
        actor=_dispatcher(r), ticket=r.assignment.ticket, approve=False, note="未解决"
    ),
}


def test_reply_machine_both_ways(flow, at):
    at(2025, 11, 24, 9, 0)
    assert set(REPLY_ACTIONS) == set(REPLY_TRANSITIONS)
    for state in Reply.State.values:
        _reply_both_ways(flow, state)


def _reply_both_ways(flow, state):
    reply = _reply(flow, state)
    assert reply.state == state
    for action, call in REPLY_ACTIONS.items():
        if action == "refuse" and state != Reply.State.APPROVED:
            continue
        allowed = state in REPLY_TRANSITIONS[action].sources
        _drive(reply, call, allowed, f"{action} from {state}")
    for action, move in REPLY_TRANSITIONS.items():
        part = Reply(state=state)
        if state in move.sources:
            assert check_reply(action, part) == move.target
        else:
            with pytest.raises(Conflict):
                check_reply(action, part)


# --- unit requests ----------------------------------------------------------------------


def _request(flow, kind):
    ticket = _ticket(flow, "return_review" if kind == "send_back" else "handling")
    lead = _part(ticket, "lead")
    if kind == "send_back":
        return _pending(lead, "send_back")
    if kind == "extension":
        return s.extension_request(actor=_clerk(lead), assignment=lead, reason="需鉴定", days=2)
    if kind == "exclusion":
        return s.exclusion_request(
            actor=_clerk(lead), assignment=lead, category="malicious", reason="恶意来电"
        )
    return s.carry_over_request(
        actor=_clerk(lead), assignment=lead, plan="纳入改造计划", promised_date=LATER
    )


DECIDE = {
    "send_back": s.send_back_decide,
    "extension": s.extension_decide,
    "exclusion": s.exclusion_decide,
    "carry_over": s.carry_over_decide,
}


def test_request_machine_both_ways(flow, at):
    at(2025, 11, 24, 9, 0)
    for kind in UnitRequest.Kind.values:
        _request_both_ways(flow, kind)


def _request_both_ways(flow, kind):
    request = _request(flow, kind)

    def decide(approve):
        return lambda r: DECIDE[kind](actor=_dispatcher(r), request=r, approve=approve, note="理由")

    actions = {"approve": decide(True), "refuse": decide(False)}
    assert set(actions) == set(REQUEST_TRANSITIONS)
    for state in UnitRequest.Decision.values:
        with transaction.atomic():
            if state != UnitRequest.Decision.PENDING:  # decided through the service
                actions["approve" if state == "approved" else "refuse"](request)
            request.refresh_from_db()
            assert request.decision == state
            for action, call in actions.items():
                allowed = state in REQUEST_TRANSITIONS[action].sources
                _drive(request, call, allowed, f"{action} {kind} from {state}")
                if not allowed:
                    with pytest.raises(Conflict):
                        check_request(action, request)
            transaction.set_rollback(True)
