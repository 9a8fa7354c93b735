"""Concurrent actions end with one winner and a clear error for the other (design rule 2).

Real concurrent connections: each thread has its own database connection and the two
calls are released together by a barrier. PostgreSQL only (CI runs it); SQLite
serialises writers by design and its in-memory test database is shared-cache.
"""

import threading

import pytest
from django.db import connection, connections

from hotline.core.errors import Conflict
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, TicketEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as exc:  # the loser's error is the point of the test
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_dispatchers_one_wins(flow, people, units):
    ticket = flow.create()
    outcomes = race(
        lambda: s.ticket_dispatch(actor=people["dispatcher1"], ticket=ticket, lead=units["QX-ZJJ"]),
        lambda: s.ticket_dispatch(actor=people["dispatcher1"], ticket=ticket, lead=units["QX-CGJ"]),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, Conflict)
    assert Assignment.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="dispatched").count() == 1


def test_double_sign_one_wins(flow, people):
    ticket = flow.to("dispatched", assists=())
    lead = flow.lead(ticket)
    outcomes = race(
        lambda: s.assignment_sign(actor=people["zjj_clerk"], assignment=lead),
        lambda: s.assignment_sign(actor=people["zjj_leader"], assignment=lead),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    assert TicketEvent.objects.filter(ticket=ticket, kind="signed").count() == 1


def test_reply_racing_a_send_back(flow, people):
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    reply = flow.reply(ticket)
    outcomes = race(
        lambda: s.reply_decide(actor=people["zjj_leader"], reply=reply, approve=True),
        lambda: s.send_back_request(
            actor=people["zjj_clerk"], assignment=lead, reason="非本单位", legal_basis="三定"
        ),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    assert all(isinstance(v, Conflict) for k, v in outcomes if k == "error")


def test_ticket_numbers_stay_unique_under_concurrent_intake(flow, people):
    outcomes = race(*[lambda: flow.create() for _ in range(4)])
    numbers = [value.number for kind, value in outcomes if kind == "ok"]
    assert len(numbers) == 4 and len(set(numbers)) == 4, outcomes


def test_two_concurrent_submissions_get_two_numbers(flow, people):
    """count()+1 read the same count in both and collided on the unique number."""
    tickets = [flow.create(), flow.create()]
    outcomes = race(
        *(
            lambda t=t: s.submission_create(
                actor=people["dispatcher1"],
                tickets=[t],
                kind="submission",
                title="呈批",
                body="正文",
            )
            for t in tickets
        )
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert len({made.number for _, made in outcomes}) == 2
