"""The follow-up API (issue 12): contact (R-UN-4), visit failure (R-FB-2), exclusion and
carry-over with their decisions; structured errors, nothing half-made."""

from hotline.tickets.models import Contact, UnitRequest, Visit
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_r_un_4_contact_exclusion_carry_over_over_the_api(client, flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    client.force_login(people["zjj_clerk"])
    base = f"/api/follow-up/assignments/{lead.pk}"
    made = post(
        client,
        f"{base}/contacts",
        {"at": "2025-11-24T09:00", "channel": "sms", "result": "reached"},
    )
    assert made.status_code == 201, made.content
    assert Contact.objects.get().channel == "sms"
    bad = post(
        client, f"{base}/contacts", {"at": "2025-11-24T09:00", "channel": "x", "result": "reached"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "请选择联系方式"
    foreign = post(client, f"{base}/exclusion", {"category": "bored", "reason": "不想办"})
    assert foreign.status_code == 400
    assert foreign.json()["error"]["message"] == "请选择剔除理由类别"
    assert not UnitRequest.objects.filter(kind="exclusion").exists()
    assert (
        post(client, f"{base}/exclusion", {"category": "malicious", "reason": "恶意"}).status_code
        == 201
    )
    late = post(client, f"{base}/carry-over", {"plan": "计划", "promised_date": "2030-01-01"})
    assert late.status_code == 400 and "一年" in late.json()["error"]["message"]
    carry = post(client, f"{base}/carry-over", {"plan": "计划", "promised_date": "2026-03-01"})
    assert carry.status_code == 201
    client.force_login(people["dispatcher1"])
    request = UnitRequest.objects.get(kind="carry_over")
    decided = post(client, f"/api/tickets/requests/{request.pk}/decide", {"approve": True})
    assert decided.status_code == 200, decided.content
    exclusion = UnitRequest.objects.get(kind="exclusion")
    refused = post(client, f"/api/tickets/requests/{exclusion.pk}/decide", {"approve": False})
    assert refused.status_code == 400  # a refusal needs its reason
    lead.refresh_from_db()
    assert lead.carried_until is not None
    client.force_login(people["cgj_clerk"])
    assert (
        post(
            client,
            f"{base}/contacts",
            {"at": "2025-11-24T09:00", "channel": "sms", "result": "reached"},
        ).status_code
        == 404
    )


def test_r_fb_2_visit_failure_and_scores_over_the_api(client, flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    client.force_login(people["visitor1"])
    failed = post(
        client, f"/api/follow-up/tickets/{ticket.number}/visit-failure", {"outcome": "wrong_number"}
    )
    assert failed.status_code == 200, failed.content
    bad = post(client, f"/api/follow-up/tickets/{ticket.number}/visit-failure", {"outcome": "done"})
    assert bad.status_code == 400
    done = post(
        client,
        f"/api/tickets/{ticket.number}/visit",
        {
            "satisfaction": "satisfied",
            "resolved": True,
            "unit_satisfaction": "satisfied",
            "operator_satisfaction": "basic",
        },
    )
    assert done.status_code == 200, done.content
    assert Visit.objects.get(outcome="done").operator_satisfaction == "basic"
