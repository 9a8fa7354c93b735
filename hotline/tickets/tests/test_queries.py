"""Detail and list reads take a constant number of queries, however big the ticket."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.tickets import selectors
from hotline.tickets import services as s
from hotline.tickets.models import Ticket


def count(callable_):
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


def read_detail(user, number):
    ticket = selectors.ticket_get(user=user, number=number)
    for assignment in ticket.assignments.all():
        list(assignment.pauses.all()), list(assignment.requests.all())
        list(assignment.replies.all()), assignment.unit.name
    for event in ticket.events.all():
        _ = event.actor, event.unit
    return selectors.citizen_for(user, ticket)


def test_detail_queries_do_not_grow_with_the_ticket(flow, people):
    small = flow.to("dispatched", assists=())
    big = flow.to("handling", assists=("QX-CD", "QX-CGJ"))
    for _ in range(15):
        s.ticket_annotate(actor=people["supervisor1"], ticket=big, text="备注")
    supervisor = people["supervisor1"]
    assert count(lambda: read_detail(supervisor, small.number)) == count(
        lambda: read_detail(supervisor, big.number)
    )


def test_list_queries_do_not_grow_with_the_page(flow, people):
    for _ in range(3):
        flow.to("dispatched", assists=())

    def read(n):
        rows = Ticket.objects.visible_to(people["zjj_clerk"]).select_related("citizen")[:n]
        return [(t.number, t.citizen.phone) for t in rows]

    read(1)  # the clerk's unit tree, read once per user object (sees_ticket)
    assert count(lambda: read(1)) == count(lambda: read(3)) == 1


def test_a_units_tree_is_read_once_for_the_requests_user(flow, people):
    """A page scopes several reads by the user's units; the tree is read for the first
    only (the clerk's word search read it three times, issue 16). A user loaded anew
    (the next request) reads it again, so a moved unit shows at once."""
    from hotline.accounts.models import User

    flow.to("dispatched", assists=())
    clerk = User.objects.get(pk=people["zjj_clerk"].pk)
    assert count(lambda: list(Ticket.objects.visible_to(clerk)[:1])) == 2
    assert count(lambda: list(Ticket.objects.visible_to(clerk)[:1])) == 1
    again = User.objects.get(pk=clerk.pk)
    assert count(lambda: list(Ticket.objects.visible_to(again)[:1])) == 2
