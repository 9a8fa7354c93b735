"""actions_for: the ticket page's buttons into the workbench, by role and state."""

from django.template.loader import render_to_string

from hotline.tickets.models import UnitRequest
from hotline.tickets.selectors import ticket_get
from hotline.workbench.next_steps import next_steps_for


def keys(user, ticket):
    visible = ticket_get(user=user, number=ticket.number)
    return [a.key for a in next_steps_for(user, visible)] if visible else []


def test_actions_follow_the_state(people, flow, django_assert_max_num_queries):
    pending = flow.to("pending_dispatch")
    assert keys(people["dispatcher1"], pending) == ["dispatch"]
    assert keys(people["operator1"], pending) == []
    dispatched = flow.to("dispatched")
    lead = flow.lead(dispatched)
    assert keys(people["zjj_clerk"], dispatched) == [f"handle-{lead.pk}", f"sheet-{lead.pk}"]
    assert keys(people["cgj_clerk"], dispatched) == []
    back = flow.to("return_review")
    assert "send_back_review" in keys(people["dispatcher1"], back)
    handling = flow.to("handling")
    flow.reply(handling)
    assert f"approve-{flow.lead(handling).pk}" in keys(people["zjj_leader"], handling)
    assert keys(people["dispatcher1"], flow.to("replied")) == ["completion_review"]
    completed = flow.to("completed")
    assert keys(people["visitor1"], completed) == ["visit"]
    ticket = ticket_get(user=people["zjj_clerk"], number=dispatched.number)
    with django_assert_max_num_queries(0):
        next_steps_for(people["zjj_clerk"], ticket)
    assert UnitRequest.objects.count() == 1


def test_include_renders_links(people, flow):
    ticket = flow.to("pending_dispatch")
    html = render_to_string(
        "workbench/_next_steps.html",
        {"next_steps": next_steps_for(people["dispatcher1"], ticket)},
    )
    assert f"/dispatch/?tab=pending&amp;ticket={ticket.number}" in html
    assert render_to_string("workbench/_next_steps.html", {"next_steps": []}).strip() == ""
