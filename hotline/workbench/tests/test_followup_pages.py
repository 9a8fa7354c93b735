"""Issue 12's inputs through the pages: the unit's contact record (R-UN-4), exclusion
and carry-over requests and their review, a failed visit and its retry (R-FB-2), the
three satisfaction scores (R-AS-3) and the call list by visit deadline (issue 15 item 13)."""

from hotline.tickets.models import Contact, UnitRequest, Visit


def test_r_un_4_contact_recorded_from_the_inbox_panel(client, people, flow, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    client.force_login(people["zjj_clerk"])
    panel = client.get("/inbox/", {"a": lead.pk}).content.decode()
    assert 'id="unit-followup"' in panel and "fu-contact-at" in panel
    url = f"/workbench/assignments/{lead.pk}/follow-up/"
    data = {
        "action": "contact",
        "fu-contact-at": "2025-11-24T09:00",
        "fu-contact-channel": "phone",
        "fu-contact-result": "reached",
        "fu-contact-note": "已与诉求人通话",
    }
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已与诉求人通话" in response.content.decode()
    assert Contact.objects.get().note == "已与诉求人通话"
    # A bad time keeps the typed note and says why.
    response = client.post(
        url, {**data, "fu-contact-at": "2025-11-30T08:50", "fu-contact-note": "第二次"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    body = response.content.decode()
    assert "联系时间不能晚于当前时间" in body and "第二次" in body
    assert Contact.objects.count() == 1
    # Another unit's clerk cannot reach the panel.
    client.force_login(people["cgj_clerk"])
    assert client.post(url, data).status_code == 404
    client.force_login(people["dispatcher1"])
    assert client.post(url, data).status_code == 403


def test_exclusion_and_carry_over_asked_in_the_inbox_and_reviewed_in_dispatch(
    client, people, flow, at
):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("handling")
    lead = flow.lead(ticket)
    client.force_login(people["zjj_clerk"])
    url = f"/workbench/assignments/{lead.pk}/follow-up/"
    exclusion = {"fu-exclusion-category": "force_majeure", "fu-exclusion-reason": "台风"}
    client.post(url, {"action": "exclusion", **exclusion})
    response = client.post(
        url,
        {
            "action": "carry_over",
            "fu-carry_over-plan": "列入明年改造计划",
            "fu-carry_over-promised_date": "2026-03-31",
        },
    )
    assert response.status_code == 302
    client.force_login(people["dispatcher1"])
    page = client.get("/dispatch/", {"tab": "carry_over"}).content.decode()
    assert "列入明年改造计划" in page and "2026-03-31" in page
    carry = UnitRequest.objects.get(kind="carry_over")
    response = client.post(
        "/dispatch/?tab=carry_over",
        {"action": "carry_over", "request": carry.pk, "decision": "approve"},
    )
    assert response.status_code == 302
    exclusion = UnitRequest.objects.get(kind="exclusion")
    refused = client.post(
        "/dispatch/?tab=exclusion",
        {"action": "exclusion", "request": exclusion.pk, "decision": "refuse"},
    )
    assert refused.status_code == 400 and "不同意的理由" in refused.content.decode()
    client.post(
        "/dispatch/?tab=exclusion",
        {
            "action": "exclusion",
            "request": exclusion.pk,
            "decision": "refuse",
            f"r{exclusion.pk}-note": "台风影响已计入延期",
        },
    )
    carry.refresh_from_db()
    exclusion.refresh_from_db()
    assert (carry.decision, exclusion.decision) == ("approved", "refused")
    client.force_login(people["supervisor1"])
    listed = client.get("/supervision/carry-overs/").content.decode()
    assert ticket.number in listed and "2026-03-31" in listed
    detail = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "台风影响已计入延期" in detail and "列入明年改造计划" in detail
    client.force_login(people["zjj_clerk"])
    assert client.get("/supervision/carry-overs/").status_code == 403


def test_r_fb_2_visit_failure_then_retry_with_three_scores(client, people, flow, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.to("completed")
    client.force_login(people["visitor1"])
    url = f"/visits/?ticket={ticket.number}"
    missing = client.post(url, {"action": "visit_fail", "ticket": ticket.number, "fail-note": "x"})
    assert missing.status_code == 400
    response = client.post(
        url,
        {"action": "visit_fail", "ticket": ticket.number, "fail-outcome": "powered_off"},
        follow=True,
    )
    body = response.content.decode()
    assert "13:00" in body and "关机" in body  # KJ: call again after 4 working hours
    response = client.post(
        url,
        {
            "action": "visit",
            "ticket": ticket.number,
            "channel": "phone",
            "satisfaction": "satisfied",
            "unit_satisfaction": "basic",
            "operator_satisfaction": "satisfied",
            "resolved": "1",
        },
    )
    done = Visit.objects.get(outcome="done")
    assert (done.attempt, done.unit_satisfaction, done.operator_satisfaction) == (
        2,
        "basic",
        "satisfied",
    )
    detail = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "关机" in detail and "基本满意" in detail


def test_issue_15_item_13_call_list_sorted_by_visit_deadline_no_handling_mode(
    client, people, flow, at
):
    at(2025, 11, 24, 9, 0)
    dispatched = flow.to("completed")
    at(2025, 11, 20, 9, 0)
    answered = flow.create(intake_outcome="answer_now", answer="已答复办理流程")
    at(2025, 11, 25, 9, 0)
    client.force_login(people["visitor1"])
    page = client.get("/visits/")
    assert list(page.context["page"]) == [answered, dispatched]  # the nearer deadline first
    assert list(client.get("/visits/", {"sort": "-due"}).context["page"]) == [
        dispatched,
        answered,
    ]
    body = page.content.decode()
    assert "直接答复" not in body and "Answered now" not in body  # never a handling mode
    assert "11-25 17:30" in body and "11-27 17:30" in body  # each ticket's visit deadline
