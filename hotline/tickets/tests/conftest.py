"""Tickets in a known state, built through the services as the right people would."""

from zoneinfo import ZoneInfo

import pytest

from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Reply

SH = ZoneInfo("Asia/Shanghai")


class Flow:
    """Moves a ticket along the happy path; each step is one service call."""

    def __init__(self, people, units):
        self.p, self.u = people, units

    def create(self, **kw):
        args = {
            "phone": "13800001111",
            "name": "张三",
            "summary": "小区电梯长期停运",
            "kind": "help",
            "detail": "电梯停运两周，老人出行困难",
        }
        args.update(kw)
        return s.ticket_create(actor=self.p["operator1"], **args)

    def dispatch(self, ticket, lead="QX-ZJJ", assists=(), **kw):
        return s.ticket_dispatch(
            actor=self.p["dispatcher1"],
            ticket=ticket,
            lead=self.u[lead],
            assists=[self.u[c] for c in assists],
            **kw,
        )

    def lead(self, ticket) -> Assignment:
        return ticket.assignments.get(active=True, role="lead")

    def clerk(self, assignment):
        return next(
            u for u in self.p.values() if u.role == "unit_clerk" and u.unit_id == assignment.unit_id
        )

    def leader(self, assignment):
        return next(
            u
            for u in self.p.values()
            if u.role == "unit_leader" and u.unit_id == assignment.unit_id
        )

    def sign(self, ticket):
        a = self.lead(ticket)
        return s.assignment_sign(actor=self.clerk(a), assignment=a)

    def reply(self, ticket, text="已协调物业修复电梯"):
        a = self.lead(ticket)
        return s.reply_submit(actor=self.clerk(a), assignment=a, text=text, points=["电梯"])

    def approve_reply(self, ticket):
        a = self.lead(ticket)
        reply = a.replies.get(state=Reply.State.SUBMITTED)
        return s.reply_decide(actor=self.leader(a), reply=reply, approve=True)

    def complete(self, ticket):
        return s.completion_decide(actor=self.p["dispatcher1"], ticket=ticket, approve=True)

    def to(self, state: str, lead="QX-ZJJ", assists=("QX-CD",), **kw):
        """A fresh ticket in `state`: pending_dispatch / dispatched / handling /
        return_review / replied / completed / closed (received is transient, inside intake)."""
        ticket = self.create(**kw)
        if state == "pending_dispatch":
            return ticket
        self.dispatch(ticket, lead=lead, assists=assists)
        if state == "dispatched":
            return ticket
        self.sign(ticket)
        if state == "return_review":
            a = self.lead(ticket)
            s.send_back_request(
                actor=self.clerk(a), assignment=a, reason="不属本单位职责", legal_basis="三定方案"
            )
            return ticket
        if state == "handling":
            return ticket
        self.reply(ticket)
        self.approve_reply(ticket)
        if state == "replied":
            return ticket
        self.complete(ticket)
        if state == "completed":
            return ticket
        s.visit_record(
            actor=self.p["visitor1"], ticket=ticket, satisfaction="satisfied", resolved=True
        )
        return ticket


@pytest.fixture
def flow(people, units):
    return Flow(people, units)
