"""The four workbench pages: who may open them, and that they render their queues."""

import pytest
from django.urls import reverse

from hotline.accounts.models import Role

PAGES = {
    "section-intake": {Role.OPERATOR},
    "section-dispatch": {Role.DISPATCHER},
    "section-inbox": {Role.UNIT_CLERK, Role.UNIT_LEADER},
    "section-visits": {Role.VISITOR},
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", Role.values)
def test_page_renders_for_its_role_and_403_for_others(client, users, name, role):
    client.force_login(users[role])
    response = client.get(reverse(name))
    assert response.status_code == (200 if role in PAGES[name] else 403)


def test_partials_are_for_operators_only(client, people):
    client.force_login(people["zjj_clerk"])
    assert (
        client.get(reverse("workbench:intake-history"), {"phone": "13800001111"}).status_code == 403
    )
    assert client.get(reverse("workbench:suggest"), {"summary": "电梯"}).status_code == 403


def test_every_tab_renders(client, people, flow):
    flow.to("pending_dispatch")
    flow.to("return_review")
    flow.to("replied")
    client.force_login(people["dispatcher1"])
    for tab in ("pending", "send_back", "extension", "completion"):
        assert client.get("/dispatch/", {"tab": tab}).status_code == 200
    client.force_login(people["zjj_leader"])
    for tab in ("sign", "handling", "due_soon", "overdue", "replied", "done", "approve"):
        assert client.get("/inbox/", {"tab": tab}).status_code == 200


def test_tabs_answer_htmx_with_the_workspace_only(client, people, flow):
    flow.to("pending_dispatch")
    client.force_login(people["dispatcher1"])
    body = client.get("/dispatch/", {"tab": "pending"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "待派单" in body
