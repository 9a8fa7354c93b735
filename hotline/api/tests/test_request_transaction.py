"""One transaction per API write (decision 0034): the service joins the request's
transaction, the answer's access record commits with the change, an error rolls back
all of it, and a ticket read with its lock is not read again by the service."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hotline.accounts.models import Role
from hotline.core.models import AccessRecord
from hotline.core.transactions import (
    locked_here,
    request_transaction,
    service_transaction,
)
from hotline.tickets import services as s
from hotline.tickets.events import lock_first, lock_ticket
from hotline.tickets.models import Assignment, Ticket, UnitRequest


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def new_ticket(client, users) -> str:
    client.force_login(users[Role.OPERATOR])
    made = post(
        client,
        "/api/tickets",
        {"phone": "13911112222", "summary": "路灯不亮", "kind": "help", "name": "李四"},
    )
    assert made.status_code == 201, made.content
    return made.json()["number"]


def savepoints(queries) -> int:
    return sum(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_service_block_joins_the_request_transaction_without_a_savepoint():
    # Inside the test's transaction: a savepoint as before.
    with CaptureQueriesContext(connection) as outside, service_transaction():
        pass
    assert savepoints(outside) == 1
    with request_transaction(), CaptureQueriesContext(connection) as joined:
        with service_transaction():
            pass
        # Any other block keeps its savepoint, and a service's block in it too.
        with transaction.atomic(), service_transaction():
            pass
    assert savepoints(joined) == 2


@pytest.mark.django_db
def test_an_error_in_the_joined_service_rolls_back_the_whole_request(users):
    user = users[Role.DISPATCHER]
    before = AccessRecord.objects.count()
    with pytest.raises(RuntimeError), request_transaction():
        AccessRecord.objects.create(user_id=user.pk, username=user.username, what="identity")
        with service_transaction():
            raise RuntimeError("refused")
    assert AccessRecord.objects.count() == before


@pytest.mark.django_db
def test_a_ticket_locked_in_the_request_is_not_read_again(client, users):
    number = new_ticket(client, users)
    with request_transaction():
        ticket = lock_first(Ticket.objects.filter(number=number))
        assert ticket is not None and locked_here(ticket)
        with CaptureQueriesContext(connection) as again:
            assert lock_ticket(ticket) is ticket
        assert again.captured_queries == []
    assert not locked_here(ticket)  # that transaction is over: the next one reads the row
    with transaction.atomic(), CaptureQueriesContext(connection) as later:
        fresh = lock_ticket(ticket)
    assert fresh is not ticket and len(later.captured_queries) == 1


@pytest.mark.django_db
def test_a_refused_dispatch_writes_nothing_not_even_the_access_record(client, users):
    number = new_ticket(client, users)
    client.force_login(users[Role.DISPATCHER])
    before = AccessRecord.objects.count()
    lead = users[Role.UNIT_CLERK].unit.code
    # Refused inside the service's block, after the ticket was locked.
    refused = post(client, f"/api/tickets/{number}/dispatch", {"lead": lead, "mode": "instruction"})
    assert refused.status_code == 400, refused.content
    ticket = Ticket.objects.get(number=number)
    assert ticket.status == "pending_dispatch" and ticket.mode == "" and ticket.version == 1
    assert not ticket.assignments.exists()
    assert AccessRecord.objects.count() == before


@pytest.mark.django_db
def test_a_second_dispatch_after_a_send_back_lists_both_parts(client, users):
    number = new_ticket(client, users)
    client.force_login(users[Role.DISPATCHER])
    clerk = users[Role.UNIT_CLERK]
    first = post(client, f"/api/tickets/{number}/dispatch", {"lead": clerk.unit.code})
    assert first.status_code == 200, first.content
    assignment = Assignment.objects.get(pk=first.json()["assignments"][0]["id"])
    s.send_back_request(
        actor=clerk, assignment=assignment, reason="非本单位职责", legal_basis="三定方案"
    )
    request = UnitRequest.objects.get(assignment=assignment)
    s.send_back_decide(actor=users[Role.DISPATCHER], request=request, approve=True, note="同意")
    again = post(client, f"/api/tickets/{number}/dispatch", {"lead": "QX-SJJ"})
    assert again.status_code == 200, again.content
    parts = again.json()["assignments"]
    assert [p["unit_code"] for p in parts] == [clerk.unit.code, "QX-SJJ"]
    assert again.json() == client.get(f"/api/tickets/{number}").json()
