"""The demo city's share of issue 12's inputs: the units' contacts with citizens, visits
with all three scores and failed attempts, exclusions and carry-overs. Called from
tickets.demo with the ticket's moments; its own random stream (from the ticket's index)
leaves the rest of the demo as it was."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from hotline.core import clock
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Contact, Ticket, UnitRequest
from hotline.tickets.services import followup as sf


def contact(index: int, clerk, lead: Assignment, signed_at: datetime, until: datetime) -> None:
    """Most units call the citizen within hours of signing; some late, some never; all
    before `until` (the reply)."""
    rng = random.Random(index)
    roll = rng.random()
    if roll < 0.15:
        return
    delay = timedelta(hours=rng.choice([1, 2, 3, 5])) if roll < 0.85 else timedelta(days=3)
    at = max(signed_at, min(signed_at + delay, until - timedelta(minutes=5), clock.now()))
    reached = rng.random() < 0.85
    with clock.frozen_at(at):
        sf.contact_record(
            user=clerk,
            assignment=lead,
            at=at,
            channel=rng.choice([Contact.Channel.PHONE] * 4 + [Contact.Channel.VISIT]),
            result=Contact.Result.REACHED if reached else Contact.Result.NOT_REACHED,
            note="已电话联系诉求人，了解具体情况" if reached else "电话无人接听，稍后再联系",
        )


def requests(index: int, people, clerk, lead: Assignment, at: datetime) -> None:
    """An exclusion (every 11th handled ticket, approved or refused) and a carry-over
    (every 13th, approved) on tickets still in hand."""
    dispatcher = people["dispatcher1"]
    if index % 11 == 0:
        with clock.frozen_at(at):
            request = sf.exclusion_request(
                actor=clerk,
                assignment=lead,
                category=random.Random(index).choice(UnitRequest.Category.values),
                reason="诉求人同一事项反复来电，经核实属无理诉求",
            )
        if index % 22 == 0:
            with clock.frozen_at(at + timedelta(hours=2)):
                sf.exclusion_decide(
                    actor=dispatcher, request=request, approve=index % 44 == 0, note="已核实"
                )
    if index % 13 == 0:
        promised = timezone.localtime(at).date() + timedelta(days=90)
        with clock.frozen_at(at + timedelta(minutes=30)):
            request = sf.carry_over_request(
                actor=clerk,
                assignment=lead,
                plan="已列入下年度改造计划，分阶段实施，完成后书面答复诉求人",
                promised_date=promised,
            )
        with clock.frozen_at(at + timedelta(hours=3)):
            sf.carry_over_decide(actor=dispatcher, request=request, approve=True)


def visit(index: int, people, ticket: Ticket, at: datetime, satisfaction: str) -> datetime:
    """One visit with all three scores; every fifth ticket first fails once (no answer or
    switched off). Returns the moment of the successful visit."""
    rng = random.Random(index)
    visitor = people["visitor1"]
    if index % 5 == 0:
        with clock.frozen_at(at):
            sf.visit_fail(
                actor=visitor, ticket=ticket, outcome=rng.choice(["no_answer", "powered_off"])
            )
        ticket.refresh_from_db()
        at = ticket.visit_retry_at or at
    at = min(at, clock.now())
    with clock.frozen_at(at):
        s.visit_record(
            actor=visitor,
            ticket=ticket,
            satisfaction=satisfaction,
            unit_satisfaction=satisfaction if rng.random() < 0.7 else "basic",
            operator_satisfaction=rng.choice(["satisfied", "satisfied", "satisfied", "basic"]),
            resolved=satisfaction != "unsatisfied",
        )
    return at


def first_attempt_failed(index: int, people, ticket: Ticket, at: datetime) -> None:
    """Every third ticket still on the call list had one call that was not answered."""
    if index % 3 or at >= clock.now():
        return
    with clock.frozen_at(at):
        sf.visit_fail(actor=people["visitor1"], ticket=ticket, outcome="no_answer")
