"""Extensions within the policy (R-UN-3): no form where the rule forbids them, a most
number of working days and of extensions, the new deadline shown to the reviewer, and no
value that overflows a date or a column."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.core.errors import DomainError
from hotline.sla.models import PolicyVersion
from hotline.sla.policy_json import to_dict
from hotline.sla.services import policy_version_create
from hotline.tickets import services as s
from hotline.tickets.models import UnitRequest


@pytest.fixture
def limited(people):
    """LX with at most 5 working days in all and one extension on every rule."""
    version = PolicyVersion.objects.filter(policy__code="LX").latest("number")
    data = to_dict(version.as_policy())
    for rule in data["rules"]:
        rule["extension_allowed"] = True
        rule["extension_max"] = {"unit": "working_days", "amount": 5}
        rule["extension_max_count"] = 1
    return policy_version_create(
        actor=people["admin"], policy=version.policy, data=data, note="延期上限"
    )


def _handling(flow, version):
    ticket = flow.create(policy_version=version)
    flow.dispatch(ticket)
    flow.sign(ticket)
    return ticket, flow.lead(ticket)


def test_r_un_3_form_hidden_where_the_rule_forbids(client, people, flow):
    ticket = flow.to("handling")  # the demo's default policy KJ: no extensions
    client.force_login(people["zjj_clerk"])
    body = client.get(f"/inbox/?a={flow.lead(ticket).pk}").content.decode()
    assert 'value="extension"' not in body and "不得延期" in body


def test_r_un_3_most_days_and_most_extensions(people, flow, limited):
    _ticket, lead = _handling(flow, limited)
    clerk = flow.clerk(lead)
    with pytest.raises(DomainError, match="不超过 5 个工作日"):
        s.extension_request(actor=clerk, assignment=lead, reason="检测", days=6)
    request = s.extension_request(actor=clerk, assignment=lead, reason="检测", days=3)
    with pytest.raises(DomainError, match="不超过 5 个工作日"):
        s.extension_decide(actor=people["dispatcher1"], request=request, approve=True, days=9)
    s.extension_decide(actor=people["dispatcher1"], request=request, approve=True)
    lead.refresh_from_db()
    with pytest.raises(DomainError, match="最多延期 1 次"):
        s.extension_request(actor=clerk, assignment=lead, reason="再检测", days=1)


def test_r_un_3_no_overflow_anywhere(client, people, flow, at):
    at(2035, 6, 4, 10, 0)  # the calendar ends with 2035
    version = PolicyVersion.objects.filter(policy__code="LX").latest("number")
    _ticket, lead = _handling(flow, version)
    clerk = flow.clerk(lead)
    with pytest.raises(DomainError):
        s.extension_request(actor=clerk, assignment=lead, reason="很久", days=70000)
    client.force_login(clerk)
    response = client.post(
        f"/inbox/?a={lead.pk}",
        {"action": "extension", "assignment": lead.pk, "ext-days": "70000", "ext-reason": "久"},
    )
    assert response.status_code == 400
    assert not UnitRequest.objects.filter(kind="extension").exists()
    request = s.extension_request(actor=clerk, assignment=lead, reason="检测", days=2)
    with pytest.raises(DomainError):  # past the calendar's years: a message, not a 500
        s.extension_decide(actor=people["dispatcher1"], request=request, approve=True, days=249)
    client.force_login(people["dispatcher1"])
    response = client.post(
        "/dispatch/?tab=extension",
        {
            "action": "extension",
            "request": request.pk,
            "decision": "approve",
            f"r{request.pk}-days": "40000",
        },
    )
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.decision == "pending"


def test_r_un_3_reviewer_sees_the_new_deadline(client, people, flow):
    version = PolicyVersion.objects.filter(policy__code="LX").latest("number")
    _ticket, lead = _handling(flow, version)
    s.extension_request(actor=flow.clerk(lead), assignment=lead, reason="检测", days=2)
    client.force_login(people["dispatcher1"])
    response = client.get("/dispatch/?tab=extension")
    row = response.context["rows"][0]
    assert row["new_due"] > lead.reply_due
    assert (
        timezone.localtime(row["new_due"]).strftime("%Y-%m-%d %H:%M") in response.content.decode()
    )


def test_the_extension_tab_reads_each_rows_preview_once_for_the_page(client, people, flow):
    """The new deadline beside each request (its part's requests, pauses and rule) is read
    for the whole page, not row by row: the statements do not grow with the rows
    (bench/pages.py "dispatch: extension" made 89 for a page of 20)."""
    version = PolicyVersion.objects.filter(policy__code="LX").latest("number")

    def ask():
        _ticket, lead = _handling(flow, version)
        s.extension_request(actor=flow.clerk(lead), assignment=lead, reason="检测", days=2)

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dispatch/?tab=extension")
        assert response.status_code == 200
        return len(queries)

    ask()
    client.force_login(people["dispatcher1"])
    client.get("/dispatch/?tab=extension")  # warm the calendar and the session
    one = statements()
    ask()
    ask()
    three = statements()
    assert len(client.get("/dispatch/?tab=extension").context["rows"]) == 3
    assert three == one
