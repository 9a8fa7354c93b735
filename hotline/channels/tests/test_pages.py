"""The online queue page for operators, the channel settings page for administrators,
late reviews on the supervisor board (R-IN-1, R-IN-4)."""

import pytest
from django.core.files.base import ContentFile

from hotline.channels.models import ChannelConfig, OnlineRequest
from hotline.channels.tests.conftest import PNG
from hotline.notifications.models import Notification


@pytest.fixture
def browse(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


def test_operator_finds_the_queue_in_the_top_bar_and_accepts_edited(make_request, browse, users):
    item = make_request(files=[ContentFile(PNG, name="photo.png")])
    client = browse(users["operator"])
    home = client.get("/intake/")
    assert 'href="/channels/online/"' in home.content.decode()
    page = client.get("/channels/online/").content.decode()
    assert item.number in page and "小区门口路灯不亮" in page
    review = client.get(f"/channels/online/{item.pk}/").content.decode()
    assert "青溪路 12 号门口" in review and "photo.png" in review
    assert (
        client.get(f"/channels/online/{item.pk}/files/{item.attachments.get().pk}/").status_code
        == 200
    )
    done = client.post(
        f"/channels/online/{item.pk}/",
        {
            "action": "accept",
            "kind": "complaint",
            "summary": "路灯坏了一个月无人修",
            "detail": item.body,
            "place": "青溪路 12 号",
            "name": "张三",
            "phone": "",
            "urgency": "normal",
        },
        follow=True,
    )
    item.refresh_from_db()
    assert item.state == "accepted" and item.ticket.summary == "路灯坏了一个月无人修"
    assert item.ticket.number in done.content.decode()


def test_bad_input_on_the_review_page_keeps_the_request(make_request, browse, users):
    item = make_request()
    client = browse(users["operator"])
    merge = client.post(f"/channels/online/{item.pk}/", {"action": "merge", "into": "2000"})
    assert merge.status_code == 400 and "没有这个编号的工单" in merge.content.decode()
    decline = client.post(f"/channels/online/{item.pk}/", {"action": "decline", "reason": ""})
    assert decline.status_code == 400
    nul = client.post(f"/channels/online/{item.pk}/", {"action": "decline", "reason": "无效\x00"})
    assert nul.status_code == 400
    item.refresh_from_db()
    assert item.state == "pending"
    ok = client.post(
        f"/channels/online/{item.pk}/",
        {"action": "decline", "code": "other_city", "reason": "属邻市管辖"},
        follow=True,
    )
    assert ok.status_code == 200
    item.refresh_from_db()
    assert item.state == "declined"
    assert Notification.objects.filter(key=f"online:{item.pk}:declined:email").exists()
    again = client.post(f"/channels/online/{item.pk}/", {"action": "decline", "reason": "x"})
    assert again.status_code == 409


def test_units_do_not_see_the_queue(make_request, browse, users):
    item = make_request()
    client = browse(users["unit_clerk"])
    assert 'href="/channels/online/"' not in client.get("/inbox/").content.decode()
    assert client.get("/channels/online/").status_code == 403
    assert client.get(f"/channels/online/{item.pk}/").status_code == 403


def test_administrator_closes_a_channel(browse, users, demo):
    client = browse(users["admin"])
    assert 'href="/channels/settings/"' in client.get("/manage/").content.decode()
    page = client.get("/channels/settings/").content.decode()
    assert "市长信箱" in page or "Mayor" in page
    client.post("/channels/settings/", {"channel": "wechat", "closed_message": "微信渠道维护中"})
    config = ChannelConfig.objects.get(channel="wechat")
    assert not config.open and config.closed_message == "微信渠道维护中"
    bad = client.post("/channels/settings/", {"channel": "pigeon", "open": "on"})
    assert bad.status_code == 400
    assert browse(users["operator"]).get("/channels/settings/").status_code == 403


def test_late_review_shows_on_the_supervisor_board(make_request, browse, users, at):
    at(2025, 9, 26, 9, 0)
    item = make_request()
    at(2025, 9, 26, 10, 30)
    client = browse(users["supervisor"])
    assert item.number not in client.get("/supervision/").content.decode()
    at(2025, 9, 26, 11, 30)  # due 11:00
    response = client.get("/supervision/")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert 'id="late-online"' in page and item.number in page
    assert OnlineRequest.objects.get().state == "pending"


def test_transfer_out_from_the_ticket_page_zs_24(browse, users, flow):
    from hotline.channels.models import Partner, Transfer

    partner = Partner.objects.create(
        code="yc", name="乙市12345热线", url="http://127.0.0.1:9/", key="k"
    )
    ticket = flow.create(summary="乙市的事")
    client = browse(users["operator"])
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="transfers"' in page and "乙市12345热线" in page
    assert client.post(f"/channels/transfer/{ticket.number}/", {"partner": "x"}).status_code == 302
    assert not Transfer.objects.exists()
    done = client.post(
        f"/channels/transfer/{ticket.number}/",
        {"partner": partner.pk, "note": "请贵市处理"},
        follow=True,
    )
    assert "已转至乙市12345热线" in done.content.decode()
    assert Transfer.objects.get().ticket == ticket
    clerk = browse(users["unit_clerk"])
    assert clerk.post(
        f"/channels/transfer/{ticket.number}/", {"partner": partner.pk}
    ).status_code in (403, 404)
