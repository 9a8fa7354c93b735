"""Emergencies at intake (R-IN-4, ZS 13(一)) and their report to the leaders and the
duty office with acknowledgement and escalation (R-DA-5, ZS 25, KM 20)."""

import pytest
from django.urls import reverse

from hotline.core.errors import Conflict, PermissionDenied
from hotline.emergencies import selectors, services
from hotline.emergencies.models import EmergencyKeyword, EmergencyReport
from hotline.notifications.models import Notification, NotificationChannel
from hotline.tickets.models import Ticket


def test_r_in_4_keywords_recognised_per_service(db):
    found = selectors.detect("路口发生车祸，有人晕倒在地")
    assert [(m.word, m.service) for m in found] == [("晕倒", "120"), ("车祸", "122")]
    assert selectors.detect("小区路灯不亮") == []
    assert [m.service for m in selectors.detect("厨房着火了")] == ["119"]


def test_r_in_4_the_administrator_edits_the_list(db):
    assert selectors.detect("河里有人呼救") == []
    EmergencyKeyword.objects.create(word="呼救", service="110")
    assert [m.service for m in selectors.detect("河里有人呼救")] == ["110"]
    EmergencyKeyword.objects.filter(word="着火").update(active=False)
    EmergencyKeyword.objects.filter(word="火灾").update(active=False)
    assert selectors.detect("厨房着火了") == []


def test_r_in_4_the_classifier_names_an_emergency_topic(db, monkeypatch):
    """A keyword that names a topic matches when the loaded model puts it first."""
    EmergencyKeyword.objects.create(word="公共安全", service="110")
    monkeypatch.setattr(
        "hotline.intelligence.selectors.suggest_topics", lambda text, k=3: [("公共安全", 0.9)]
    )
    found = selectors.detect("楼下一群人拿着棍子")
    assert [(m.service, m.by_classifier) for m in found] == [("110", True)]
    monkeypatch.setattr(
        "hotline.intelligence.selectors.suggest_topics", lambda text, k=3: [("公共安全", 0.3)]
    )
    assert selectors.detect("楼下一群人拿着棍子") == []


def test_r_in_4_banner_is_at_the_top_of_intake(client, people):
    client.force_login(people["operator1"])
    page = client.get(reverse("section-intake")).content.decode()
    assert page.index('id="emergency-banner"') < page.index('id="intake-form"')
    html = client.get(reverse("emergencies:banner"), {"summary": "家里煤气泄漏了"}).content
    html = html.decode()
    assert 'form="intake-form"' in html and 'value="119"' in html
    assert reverse("emergencies:transfer") in html
    assert client.get(reverse("emergencies:banner"), {"summary": "路灯坏了"}).content.strip() == b""


def _transfer(client, **extra):
    data = {
        "service": "119",
        "phone": "13900002222",
        "name": "王女士",
        "channel": "phone",
        "kind": "help",
        "summary": "厨房着火，火势蔓延",
        "detail": "",
        "address": "江滨路8号",
        "handling": "dispatch",
    }
    data.update(extra)
    return client.post(reverse("emergencies:transfer"), data)


def test_r_in_4_r_da_5_transfer_records_declined_ticket_and_reports(client, people, units):
    client.force_login(people["operator1"])
    response = _transfer(client)
    assert response.status_code == 302
    ticket = Ticket.objects.get(citizen__phone="13900002222")
    assert (ticket.intake_outcome, ticket.decline_reason, ticket.urgency) == (
        "decline",
        "emergency",
        "urgent",
    )
    assert "119" in ticket.answer
    assert client.session["intake_saved"] == ticket.number
    report = EmergencyReport.objects.get(ticket=ticket)
    assert report.service == "119" and report.acknowledged_at is None
    leaders = set(
        Notification.objects.filter(channel=NotificationChannel.INBOX, ticket=ticket).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"supervisor1", "mayor"} <= leaders
    duty = units["QX-ZBS"]
    sms = Notification.objects.filter(channel=NotificationChannel.SMS, address=duty.liaison_phone)
    assert sms.count() == 1 and "厨房着火" in sms.get().body
    assert ticket.events.filter(kind="emergency_reported").exists()


def test_r_in_4_transfer_without_phone_loses_nothing(client, people):
    client.force_login(people["operator1"])
    response = _transfer(client, phone="")
    assert response.status_code == 302
    assert not Ticket.objects.exists() and not EmergencyReport.objects.exists()


def test_r_da_5_unacknowledged_report_escalates_by_sms(people, units, at):
    at(2026, 12, 3, 22, 0)
    report = services.emergency_report(
        actor=people["operator1"], kind="mass_incident", summary="广场聚集约两百人"
    )
    duty = units["QX-ZBS"]
    phones = [r["phone"] for r in report.ladder]
    assert phones[:3] == [duty.liaison_phone, duty.deputy_head_phone, duty.head_phone]
    assert services.escalate_due() == {"texted": 0}
    at(2026, 12, 3, 22, 11)
    assert services.escalate_due() == {"texted": 1}
    assert services.escalate_due() == {"texted": 0}  # claimed once
    assert (
        Notification.objects.filter(channel=NotificationChannel.SMS, address=phones[1]).count() == 1
    )
    services.emergency_acknowledge(actor=people["mayor"], report=report)
    at(2026, 12, 3, 22, 40)
    assert services.escalate_due() == {"texted": 0}
    assert not Notification.objects.filter(
        channel=NotificationChannel.SMS, address=phones[2]
    ).exists()


def test_r_da_5_acknowledge_once_and_only_by_leaders(people):
    report = services.emergency_report(
        actor=people["operator1"], kind="safety_hazard", summary="桥梁出现裂缝"
    )
    with pytest.raises(PermissionDenied):
        services.emergency_acknowledge(actor=people["operator1"], report=report)
    services.emergency_acknowledge(actor=people["supervisor1"], report=report)
    with pytest.raises(Conflict):
        services.emergency_acknowledge(actor=people["mayor"], report=report)


def test_r_da_5_board_shows_reports_until_acknowledged(client, people):
    report = services.emergency_report(
        actor=people["operator1"], kind="sudden_event", summary="化工厂异味扩散"
    )
    client.force_login(people["supervisor1"])
    board = client.get(reverse("section-supervision")).content.decode()
    assert 'id="emergency-board"' in board and "化工厂异味扩散" in board
    response = client.post(
        reverse("emergencies:acknowledge", args=[report.pk]), {"next": "//evil.example/"}
    )
    assert response.url == reverse("emergencies:reports")
    board = client.get(reverse("section-supervision")).content.decode()
    assert 'id="emergency-board"' not in board


def test_r_da_5_risk_event_reported_from_the_page(client, people):
    client.force_login(people["dispatcher1"])
    response = client.post(
        reverse("emergencies:reports"), {"kind": "mass_incident", "summary": "工地讨薪聚集"}
    )
    assert response.status_code == 302
    assert EmergencyReport.objects.get().summary == "工地讨薪聚集"
    bad = client.post(reverse("emergencies:reports"), {"kind": "mass_incident", "summary": ""})
    assert bad.status_code == 400 and EmergencyReport.objects.count() == 1
