"""The citizen portal: prove a phone, submit, track, rate (R-IN-1, R-FB-1, R-FB-2, ZS 19)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.channels import services as channel_services
from hotline.channels.models import OnlineRequest
from hotline.core import clock
from hotline.notifications.models import Notification
from hotline.portal import selectors, services, throttle
from hotline.portal.models import PhoneCode
from hotline.portal.tests.conftest import PHONE, PNG, last_code, prove, submit
from hotline.tickets.models import Visit

pytestmark = pytest.mark.django_db


def test_code_is_hashed_expires_and_tries_are_limited(demo, caplog):
    services.phone_code_send(phone=PHONE, address="10.0.0.1")
    code = last_code(PHONE)
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and PHONE not in row.phone_hash
    assert code not in caplog.text
    for _ in range(5):
        with pytest.raises(Exception, match="验证码不正确"):
            services.phone_code_check(phone=PHONE, code="000000" if code != "000000" else "111111")
    with pytest.raises(Exception, match="验证码不正确"):  # five wrong tries burn the code
        services.phone_code_check(phone=PHONE, code=code)
    services.phone_code_send(phone=PHONE, address="10.0.0.1")
    fresh = last_code(PHONE)
    later = time_machine.travel(clock.now() + dt.timedelta(minutes=11))
    with later, pytest.raises(Exception, match="验证码不正确"):
        services.phone_code_check(phone=PHONE, code=fresh)


def test_codes_are_rate_limited_per_phone_and_per_address(demo):
    for _ in range(services.CODES_PER_PHONE_HOUR):
        services.phone_code_send(phone=PHONE, address="10.0.0.2")
    with pytest.raises(throttle.TooMany):
        services.phone_code_send(phone=PHONE, address="10.0.0.3")
    for i in range(services.CODES_PER_ADDRESS_HOUR - services.CODES_PER_PHONE_HOUR):
        services.phone_code_send(phone=f"1370000{i:04d}", address="10.0.0.2")
    with pytest.raises(throttle.TooMany):
        services.phone_code_send(phone="13600000000", address="10.0.0.2")


def test_submit_needs_a_proved_phone(client, demo, portal):
    response = client.get("/portal/submit/")
    assert response.status_code == 302 and "verify" in response["Location"]


def test_submit_with_a_photo_gives_a_number_at_once_and_by_sms_r_in_1(citizen):
    photo = SimpleUploadedFile("lamp.png", PNG, content_type="image/png")
    response = submit(citizen, files=[photo])
    assert response.status_code == 200
    online = OnlineRequest.objects.get()
    assert online.channel == "web" and online.phone == PHONE and online.reply_channel == "web"
    assert online.number in response.content.decode()
    assert online.attachments.count() == 1
    sms = Notification.objects.filter(address=PHONE, channel="sms").latest("pk")
    assert online.number in sms.body


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("body", "有\x00空字符", "无效字符"),
        ("body", "长" * 20001, "过长"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_written(citizen, field, value, message):
    response = submit(citizen, **{field: value})
    assert response.status_code == 400 and message in response.content.decode()
    assert not OnlineRequest.objects.exists()


def test_bytes_that_are_not_utf8_are_refused(citizen):
    from urllib.parse import urlencode

    fields = {"kind": "help", "body": "内容", "reply_channel": "web"}
    fields |= {"captcha_0": "x", "captcha_1": "PASSED"}
    raw = urlencode(fields) + "&subject=%E5%9D%8F%ED%A0%80"  # a lone surrogate as bytes
    response = citizen.post(
        "/portal/submit/", raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and "无效字符" in response.content.decode()
    assert not OnlineRequest.objects.exists()


def test_a_lone_surrogate_is_refused_by_the_service(demo):
    with pytest.raises(Exception, match="无效字符"):
        services.portal_submit(phone=PHONE, kind="help", subject="坏\ud800码", body="x")
    assert not OnlineRequest.objects.exists()


def test_oversized_upload_is_refused_before_it_is_read(citizen, settings):
    settings.HOTLINE_PORTAL_MAX_REQUEST_BYTES = 1024
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 4096, content_type="image/png")
    response = submit(citizen, files=[big])
    assert response.status_code == 413 and "MB" in response.content.decode()
    assert not OnlineRequest.objects.exists()


def test_wrong_type_file_is_dropped_with_its_reason(citizen):
    exe = SimpleUploadedFile("run.exe", b"MZ" + b"\x00" * 30)
    response = submit(citizen, files=[exe])
    assert response.status_code == 200 and "不支持的附件类型" in response.content.decode()
    assert OnlineRequest.objects.get().attachments.count() == 0


def test_track_answers_the_same_for_unknown_number_and_wrong_phone(client, demo, portal):
    online = channel_services.online_request_create(
        channel="web", subject="噪音", body="夜间施工噪音", phone=PHONE, reply_channel="sms"
    )
    wrong_phone = client.post("/portal/track/", {"number": online.number, "phone": "13500000000"})
    unknown = client.post("/portal/track/", {"number": "W20990101999999", "phone": PHONE})
    assert str(selectors.NO_MATCH) in wrong_phone.content.decode()
    assert str(selectors.NO_MATCH) in unknown.content.decode()
    assert wrong_phone.status_code == unknown.status_code == 200
    right = client.post("/portal/track/", {"number": online.number.lower(), "phone": PHONE})
    assert "等待热线审核受理" in right.content.decode()  # not yet accepted: trackable too


def test_track_misses_are_rate_limited_per_address(client, demo, portal):
    statuses = [
        client.post("/portal/track/", {"number": f"W2026010100000{i}", "phone": PHONE}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
    online = channel_services.online_request_create(
        channel="web", subject="噪音", body="夜间施工噪音", phone=PHONE, reply_channel="sms"
    )
    right = client.post("/portal/track/", {"number": online.number, "phone": PHONE})
    assert right.status_code == 429 and "等待热线审核受理" not in right.content.decode()


def test_timeline_in_plain_words_without_staff_names_r_fb_1_zs_19(demo, flow, users):
    from hotline.sla.models import PolicyVersion

    zs = PolicyVersion.objects.filter(policy__code="LX").latest("number")  # LX 四3 allows it
    ticket = flow.create(phone=PHONE, policy_version=zs)
    flow.dispatch(ticket)
    flow.sign(ticket)
    from hotline.tickets import services as ticket_services

    lead = flow.lead(ticket)
    asked = ticket_services.extension_request(
        actor=flow.clerk(lead), assignment=lead, reason="需协调供电部门", days=5
    )
    ticket_services.extension_decide(actor=users["dispatcher"], request=asked, approve=True)
    found = selectors.track(number=ticket.number, phone=PHONE)
    titles = [s.title for s in found.steps]
    assert titles[:2] == ["已受理", "已转交承办单位"]
    assert "延期办理" in titles
    text = " ".join(f"{s.title} {s.detail}" for s in found.steps)
    assert "需协调供电部门" in text and "新的办理期限" in text  # ZS 19
    assert ticket.lead.unit.name in text  # R-HM-10: told where it went
    from hotline.accounts.models import User

    for user in User.objects.exclude(full_name=""):
        assert user.full_name not in text


def _completed(flow, users, reply_channel="web"):
    online = channel_services.online_request_create(
        channel="web", subject="路灯", body="路灯坏了", phone=PHONE, reply_channel=reply_channel
    )
    ticket = channel_services.online_request_accept(
        actor=users["operator"], request=online, kind="help"
    )
    flow.dispatch(ticket)
    flow.sign(ticket)
    flow.reply(ticket, text="路灯已修复")
    flow.approve_reply(ticket)
    flow.complete(ticket)
    ticket.refresh_from_db()
    return ticket


def test_rate_online_once_per_round_r_fb_2(client, demo, portal, flow, users):
    ticket = _completed(flow, users)
    prove(client)
    page = client.post("/portal/track/", {"number": ticket.number})
    assert "评价办理结果" in page.content.decode() and "路灯已修复" in page.content.decode()
    data = {
        "satisfaction": "unsatisfied",
        "unit_satisfaction": "basic",
        "operator_satisfaction": "satisfied",
        "resolved": "0",
        "note": "还是不亮",
    }
    assert client.post(f"/portal/rate/{ticket.number}/", data).status_code == 200
    visit = Visit.objects.get(ticket=ticket)
    assert visit.channel == "web" and visit.satisfaction == "unsatisfied" and not visit.resolved
    assert (visit.unit_satisfaction, visit.operator_satisfaction) == ("basic", "satisfied")
    again = client.post(f"/portal/rate/{ticket.number}/", data)
    assert again.status_code == 400 and not Visit.objects.filter(pk__gt=visit.pk).exists()
    _redo(ticket, users)
    flow.reply(ticket, text="已更换灯泡")
    flow.approve_reply(ticket)
    flow.complete(ticket)
    ok = {
        "satisfaction": "satisfied",
        "unit_satisfaction": "satisfied",
        "operator_satisfaction": "satisfied",
        "resolved": "1",
    }
    assert client.post(f"/portal/rate/{ticket.number}/", ok).status_code == 200  # a new round
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def _redo(ticket, users):
    from hotline.tickets.services import ticket_redo

    ticket_redo(actor=users["visitor"], ticket=ticket, reason="市民不满意")


def test_phone_visit_choosers_cannot_rate_online(client, demo, portal, flow, users):
    ticket = _completed(flow, users, reply_channel="phone")
    prove(client)
    three = {"satisfaction": "satisfied", "unit_satisfaction": "satisfied"}
    response = client.post(
        f"/portal/rate/{ticket.number}/",
        {**three, "operator_satisfaction": "satisfied", "resolved": "1"},
    )
    assert response.status_code == 400 and not Visit.objects.exists()
    assert "该工单当前不能在网上评价" in response.content.decode()


def test_own_list_shows_only_the_proved_phones_items(citizen):
    submit(citizen)
    channel_services.online_request_create(
        channel="web", subject="别人的", body="别人的诉求", phone="13700000000"
    )
    page = citizen.get("/portal/mine/").content.decode()
    assert "路灯不亮" in page and "别人的" not in page


def test_tick_sweeps_old_counters_codes_and_picture_codes(demo):
    from captcha.models import CaptchaStore

    from hotline.portal.models import Throttle
    from hotline.site.tick import run_once

    services.phone_code_send(phone=PHONE, address="10.0.0.9")
    CaptchaStore.generate_key()  # shown, never answered: the form's check no longer sweeps
    assert Throttle.objects.count() == 2 and PhoneCode.objects.count() == 1
    assert run_once()["portal_limits"] == {"counters": 0, "codes": 0, "captchas": 0}
    with time_machine.travel(clock.now() + dt.timedelta(days=2)):
        assert run_once()["portal_limits"] == {"counters": 2, "codes": 1, "captchas": 1}
    assert not CaptchaStore.objects.exists()
