"""The operator's intake (issue 15 item 10): drafts belong to one operator and are
cleared on logout, the caller field is 姓名/称呼, the save message carries the deadline
to read to the caller (ZS 15), unit suggestions follow the place."""

from pathlib import Path

from django.utils import timezone

from hotline.directory.models import Topic
from hotline.directory.selectors import unit_for_place
from hotline.intelligence.unit_suggestions import suggest_units
from hotline.tickets import deadlines
from hotline.tickets.models import Ticket


def test_drafts_are_per_operator_and_cleared_on_logout(client, people):
    client.force_login(people["operator1"])
    page = client.get("/intake/").content.decode()
    assert f'data-draft="intake:{people["operator1"].pk}"' in page
    assert "data-clear-drafts" in page  # the logout form
    client.logout()
    assert "data-login-page" in client.get("/login/").content.decode()
    import hotline

    script = (Path(hotline.__file__).parent / "static/hotline/app.js").read_text()
    assert "data-clear-drafts" in script and "hotline-draft:" in script


def test_caller_field_label(client, people):
    client.force_login(people["operator1"])
    assert "姓名/称呼" in client.get("/intake/").content.decode()


def test_zs_15_save_message_tells_the_deadline(client, people, at):
    at(2026, 12, 3, 10, 0)
    client.force_login(people["operator1"])
    data = {
        "phone": "13900001111",
        "name": "王先生",
        "channel": "phone",
        "kind": "help",
        "summary": "小区路灯不亮",
        "urgency": "normal",
        "handling": "dispatch",
        "topic": Topic.objects.get(code="010101").pk,  # 诉求分类 is required at intake
    }
    response = client.post("/intake/", data, follow=True)
    ticket = Ticket.objects.get(citizen__phone="13900001111")
    due = deadlines.expected_reply_due(ticket)
    assert due is not None
    body = response.content.decode()
    assert f"请告知来电人：预计 {timezone.localtime(due):%Y-%m-%d %H:%M} 前答复" in body


def test_place_keeps_other_towns_out_of_unit_suggestions(units, flow):
    assert unit_for_place("江滨街道滨江社区8栋") == units["QX-JB"]
    # History: 城东街道 handled street-lighting tickets, so it is a strong suggestion.
    for _ in range(3):
        flow.to("closed", lead="QX-CD", assists=(), summary="路灯不亮", address="城东街道东门社区")
    from hotline.intelligence.unit_suggestions import forget_routing_history

    forget_routing_history()
    anywhere = [s.unit.code for s in suggest_units(text="路灯不亮", limit=10)]
    assert "QX-CD" in anywhere
    there = [
        s.unit.code for s in suggest_units(text="路灯不亮", address="江滨街道滨江社区", limit=10)
    ]
    assert "QX-CD" not in there
