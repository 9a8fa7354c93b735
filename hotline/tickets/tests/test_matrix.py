"""Every service for every role: allowed roles pass the permission check, others are refused."""

import pytest

from hotline.accounts.models import Role
from hotline.core.errors import PermissionDenied
from hotline.sla.models import PolicyVersion
from hotline.tickets import services as s
from hotline.tickets.models import Reply, UnitRequest

R = Role
UNIT = {R.UNIT_CLERK, R.UNIT_LEADER}


def _lead(flow, ticket):
    return flow.lead(ticket)


def _request(flow, ticket, kind):
    return UnitRequest.objects.get(assignment__ticket=ticket, kind=kind, decision="pending")


def _extension(flow, ticket):
    lead = flow.lead(ticket)
    s.extension_request(actor=flow.clerk(lead), assignment=lead, reason="鉴定", days=2)
    return ticket


# action: (state to start from, roles allowed, call(flow, ticket, user))
ACTIONS = {
    "ticket_create": (
        None,
        {R.OPERATOR},
        lambda f, t, u: s.ticket_create(
            actor=u, phone="13900000000", summary="路灯不亮", kind="help"
        ),
    ),
    "ticket_dispatch": (
        "pending_dispatch",
        {R.DISPATCHER},
        lambda f, t, u: s.ticket_dispatch(actor=u, ticket=t, lead=f.u["QX-CD"]),
    ),
    "assignment_sign": (
        "dispatched",
        UNIT,
        lambda f, t, u: s.assignment_sign(actor=u, assignment=_lead(f, t)),
    ),
    "send_back_request": (
        "handling",
        UNIT,
        lambda f, t, u: s.send_back_request(
            actor=u, assignment=_lead(f, t), reason="非本单位", legal_basis="三定方案"
        ),
    ),
    "send_back_decide": (
        "return_review",
        {R.DISPATCHER},
        lambda f, t, u: s.send_back_decide(
            actor=u, request=_request(f, t, "send_back"), approve=True, note="同意"
        ),
    ),
    "extension_request": (
        "handling",
        UNIT,
        lambda f, t, u: s.extension_request(actor=u, assignment=_lead(f, t), reason="鉴定", days=2),
    ),
    "extension_decide": (
        "extension",
        {R.DISPATCHER},
        lambda f, t, u: s.extension_decide(
            actor=u, request=_request(f, t, "extension"), approve=True
        ),
    ),
    "reply_submit": (
        "handling",
        UNIT,
        lambda f, t, u: s.reply_submit(actor=u, assignment=_lead(f, t), text="已处理"),
    ),
    "reply_decide": (
        "submitted",
        {R.UNIT_LEADER},
        lambda f, t, u: s.reply_decide(
            actor=u, reply=Reply.objects.get(assignment__ticket=t, state="submitted"), approve=True
        ),
    ),
    "completion_decide": (
        "replied",
        {R.DISPATCHER},
        lambda f, t, u: s.completion_decide(actor=u, ticket=t, approve=True),
    ),
    "visit_record": (
        "completed",
        {R.VISITOR},
        lambda f, t, u: s.visit_record(actor=u, ticket=t, satisfaction="satisfied", resolved=True),
    ),
    "ticket_redo": (
        "completed",
        {R.VISITOR, R.DISPATCHER},
        lambda f, t, u: s.ticket_redo(actor=u, ticket=t, reason="不满意"),
    ),
    "ticket_screen": (
        "completed",
        {R.VISITOR, R.DISPATCHER},
        lambda f, t, u: s.ticket_screen(actor=u, ticket=t, reason="超出政策"),
    ),
    "ticket_merge": (
        "pending_dispatch",
        {R.DISPATCHER},
        lambda f, t, u: s.ticket_merge(actor=u, ticket=t, into=f.create()),
    ),
    "ticket_annotate": (
        "closed",
        set(Role.values),
        lambda f, t, u: s.ticket_annotate(actor=u, ticket=t, text="备注"),
    ),
    "submission_create": (
        "pending_dispatch",
        {R.DISPATCHER},
        lambda f, t, u: s.submission_create(
            actor=u, tickets=[t], kind="submission", title="呈批", body="正文"
        ),
    ),
    "submission_instruct": (
        "pending_dispatch",
        {R.CITY_LEADER},
        lambda f, t, u: s.submission_instruct(
            actor=u,
            submission=s.submission_create(
                actor=f.p["dispatcher1"],
                tickets=[t],
                kind="submission",
                title="呈批",
                body="正文",
            ),
            instruction="请尽快办理",
        ),
    ),
}


def _prepare(flow, state):
    lx = PolicyVersion.objects.get(policy__code="LX")  # LX allows extensions
    if state is None:
        return None
    if state == "extension":
        return _extension(flow, flow.to("handling", lead="QX-CD", assists=(), policy_version=lx))
    if state == "submitted":
        ticket = flow.to("handling", lead="QX-CD", assists=(), policy_version=lx)
        flow.reply(ticket)
        return ticket
    return flow.to(state, lead="QX-CD", assists=(), policy_version=lx)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_action_matrix(flow, users, action, role):
    state, allowed, call = ACTIONS[action]
    ticket = _prepare(flow, state)
    user = users[role]
    if role in UNIT:
        assert user.unit.code == "QX-CD"  # the representative works for the lead unit
    if role in allowed:
        call(flow, ticket, user)
    else:
        with pytest.raises(PermissionDenied):
            call(flow, ticket, user)
