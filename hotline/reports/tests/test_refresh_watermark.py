"""The tick's refresh of the report facts reads each event once: a pass with nothing new
refreshes no ticket (the demo's tick used to refresh every ticket of the last 500 events,
each pass), and an event committed late below the watermark is still found."""

from django.db import connection

from hotline.reports import aggregate
from hotline.reports.models import RefreshState
from hotline.tickets.models import TicketEvent


def test_a_pass_with_nothing_new_refreshes_nothing(flow, at):
    at(2026, 3, 2, 9)
    flow.to("handling")
    assert aggregate.refresh_pending()["tickets"] >= 1
    assert aggregate.refresh_pending()["tickets"] == 0
    flow.to("handling")
    assert aggregate.refresh_pending()["tickets"] == 1
    assert RefreshState.objects.get().unseen_event_ids == []


def test_an_event_committed_late_below_the_watermark_is_read(flow, at):
    at(2026, 3, 2, 9)
    first = flow.to("handling")
    flow.to("handling")
    # The first ticket's last event "not committed yet" when the pass reads: its id is
    # taken, the row not visible.
    late = TicketEvent.objects.filter(ticket=first).order_by("-pk").values_list("pk", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tickets_ticketevent WHERE id = %s", [late])
        row = cursor.fetchone()
        columns = [c[0] for c in cursor.description]
    TicketEvent.objects.filter(pk=late).delete()
    aggregate.refresh_pending()
    assert late in RefreshState.objects.get().unseen_event_ids
    assert aggregate.refresh_pending()["tickets"] == 0
    with connection.cursor() as cursor:  # now it commits, with the id it took
        cursor.execute(
            f"INSERT INTO tickets_ticketevent ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            row,
        )
    assert aggregate.refresh_pending()["tickets"] == 1
    assert RefreshState.objects.get().unseen_event_ids == []
    assert aggregate.refresh_pending()["tickets"] == 0


def test_the_first_pass_waits_for_no_id_below_its_first_event(flow, at):
    """Without a watermark there is nothing to be late for: ids below the first event the
    first pass reads were never used here (a sequence that started higher, rolled-back
    writes), and must not be carried as unseen."""
    at(2026, 3, 2, 9)
    first = flow.to("handling")
    flow.to("handling")
    TicketEvent.objects.filter(ticket=first).delete()
    aggregate.refresh_pending()
    assert RefreshState.objects.get().unseen_event_ids == []
