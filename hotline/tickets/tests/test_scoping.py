"""Issue 14 items 6, 8 and 9: a returned ticket leaves the unit, documents for the roles
that may list them, one visible_to per model, one NotFound for missing and not yours."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.core import clock
from hotline.core.access import access
from hotline.core.errors import NotFound
from hotline.supervision import services as supervision
from hotline.supervision.models import Document
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Contact, Reply, Ticket, UnitRequest
from hotline.tickets.services import followup as sf

PHONE = "13800001111"


def _returned(flow):
    """A ticket QX-ZJJ sent back, the return approved, then dispatched to QX-CD."""
    ticket = flow.to("return_review", assists=())
    request = UnitRequest.objects.get(assignment__ticket=ticket, kind="send_back")
    s.send_back_decide(
        actor=flow.p["dispatcher1"], request=request, approve=True, note="不属本单位职责"
    )
    flow.dispatch(Ticket.objects.get(pk=ticket.pk), lead="QX-CD", assists=())
    return ticket


def test_a_unit_no_longer_sees_a_ticket_it_returned_r_un_2(client, flow):
    """Issue 14 item 6: after the approved return the ticket, the caller's name and phone
    and the next unit's work are not the returning unit's business any more."""
    ticket = _returned(flow)
    clerk = flow.clerk(Assignment.objects.get(ticket=ticket, unit__code="QX-ZJJ"))
    assert not Ticket.objects.visible_to(clerk).filter(pk=ticket.pk).exists()
    client.force_login(clerk)
    page = client.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 404 and PHONE not in page.content.decode()
    assert client.get(f"/api/tickets/{ticket.number}").status_code == 404
    returned = Assignment.objects.get(ticket=ticket, unit__code="QX-ZJJ")
    assert client.get(f"/workbench/assignments/{returned.pk}/sheet/").status_code == 404
    # What it may still see: that it sent the ticket back, decided.
    mine = UnitRequest.objects.filter(assignment=returned, kind="send_back")
    assert mine.get().decision == "approved"
    new_clerk = flow.clerk(Assignment.objects.get(ticket=ticket, unit__code="QX-CD"))
    assert Ticket.objects.visible_to(new_clerk).filter(pk=ticket.pk).exists()


def test_supervision_documents_only_for_the_roles_that_list_them(client, flow):
    """Issue 14 item 8: supervisors and the addressed unit read the PDF; an operator, a
    dispatcher or another unit get the same 404 as for a document that does not exist."""
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    document = supervision.document_issue(
        actor=flow.p["supervisor1"], assignment=lead, kind=Document.Kind.LETTER
    )
    assert set(Document.objects.visible_to(flow.p["supervisor1"])) == {document}
    assert set(Document.objects.visible_to(flow.clerk(lead))) == {document}
    for username in ("operator1", "dispatcher1", "analyst1", "visitor1"):
        assert not Document.objects.visible_to(flow.p[username]).exists(), username
        client.force_login(flow.p[username])
        assert client.get(f"/supervision/documents/{document.pk}.pdf").status_code == 404
    other = next(u for u in flow.p.values() if u.role == "unit_clerk" and u.unit.code == "QX-CD")
    assert not Document.objects.visible_to(other).exists()
    client.force_login(other)
    assert client.get(f"/supervision/documents/{document.pk}.pdf").status_code == 404


def _worked(flow):
    """A handled ticket with a refused send-back, a contact with the citizen and a reply."""
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    own = flow.clerk(lead)
    request = s.send_back_request(
        actor=own, assignment=lead, reason="不属本单位", legal_basis="三定方案"
    )
    s.send_back_decide(actor=flow.p["dispatcher1"], request=request, approve=False, note="属实")
    sf.contact_record(user=own, assignment=lead, at=clock.now(), channel="phone", result="reached")
    flow.reply(ticket)
    return ticket, lead, own


@pytest.mark.parametrize("model", [Assignment, UnitRequest, Reply, Contact])
def test_each_part_of_a_ticket_has_visible_to(flow, model):
    _ticket, lead, own = _worked(flow)
    assert model.objects.exists()
    other = next(u for u in flow.p.values() if u.role == "unit_clerk" and u.unit_id != lead.unit_id)
    assert model.objects.visible_to(flow.p["dispatcher1"]).count() == model.objects.count()
    assert model.objects.visible_to(own).count() == model.objects.count()
    assert not model.objects.visible_to(other).exists()


@pytest.mark.parametrize(
    "model, path",
    [(Assignment, "ticket"), (UnitRequest, "assignment__ticket"), (Contact, "assignment__ticket")],
)
def test_a_part_is_checked_on_its_own_ticket(flow, model, path):
    """A part's visible_to asks whether the unit has a part in the row's own ticket, not
    whether the ticket is in the list of every ticket the unit sees: filtered to one
    ticket, the database checks that ticket's rows only (the list took SQLite ~64 ms a
    statement at 100,000 tickets). No statement selects from the tickets."""
    ticket, _lead, own = _worked(flow)
    rows = model.objects.visible_to(own).filter(**{path: ticket})
    assert rows.exists()
    assert "tickets_ticket" not in str(rows.query)


def test_the_ticket_page_lists_no_units_tickets(client, flow):
    """The ticket page as a unit clerk: the ticket is checked once; its contacts, requests
    and the rest are read by that ticket, never through a sub-select over every ticket
    the unit sees (bench/pages.py "ticket detail", issue 15)."""
    ticket, _lead, own = _worked(flow)
    client.force_login(own)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 200 and "不属本单位" in page.content.decode()
    # A sub-select over the tickets (Django names it U0, V0, ...).
    over_tickets = [
        q["sql"] for q in queries if re.search(r'FROM "tickets_ticket" [A-Z]\d', q["sql"])
    ]
    assert over_tickets == []


def test_access_raises_the_same_not_found_for_missing_and_not_yours(flow):
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    other = next(u for u in flow.p.values() if u.role == "unit_clerk" and u.unit_id != lead.unit_id)
    with pytest.raises(NotFound) as not_yours:
        access(Assignment.objects.visible_to(other), pk=lead.pk)
    with pytest.raises(NotFound) as missing:
        access(Assignment.objects.visible_to(other), pk=lead.pk + 1000)
    with pytest.raises(NotFound) as huge:
        access(Assignment.objects.visible_to(other), pk=2**70)
    assert not_yours.value.message == missing.value.message == huge.value.message
    assert access(Assignment.objects.visible_to(flow.clerk(lead)), pk=lead.pk) == lead
