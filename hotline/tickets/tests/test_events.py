"""The one event writer (docs/decisions/0021): every kind known, the version bumped, and a
status change that writes only the columns it changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.tickets import search
from hotline.tickets import services as s
from hotline.tickets.events import EventKind
from hotline.tickets.models import EVENT_LABELS, Ticket, TicketEvent


def test_every_event_kind_has_a_label_and_every_label_a_kind():
    assert set(EventKind) == set(EVENT_LABELS)


def test_every_event_written_is_a_known_kind(flow):
    flow.to("closed")
    assert set(TicketEvent.objects.values_list("kind", flat=True)) <= set(EventKind)


def test_a_status_change_saves_its_columns_only_and_bumps_the_version(flow):
    ticket = flow.create()
    terms = Ticket.objects.get(pk=ticket.pk).search_terms
    with CaptureQueriesContext(connection) as queries:
        flow.dispatch(ticket)
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and '"tickets_ticket"' in q["sql"].split("SET")[0]
    ]
    assert len(updates) == 1 and "search_terms" not in updates[0], updates
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.version == 2 and stored.status == "dispatched"
    assert stored.search_terms == terms and terms
    assert search.matching(Ticket.objects.all(), "电梯").filter(pk=ticket.pk).exists()


def test_a_note_bumps_the_version(flow, people):
    ticket = flow.create()
    s.ticket_annotate(actor=people["supervisor1"], ticket=ticket, text="备注")
    assert Ticket.objects.get(pk=ticket.pk).version == 2
