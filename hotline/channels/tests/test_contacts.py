"""Mail-only and WeChat citizens keep their contact in its own field (issue 13): stored
there, answered there, masked like phones and every unmasked view logged (R-IN-1, R-FB-1,
R-SE). Phone intake stays strict."""

import pytest

from hotline.channels import progress, services
from hotline.core.access_log import IDENTITY
from hotline.core.errors import DomainError
from hotline.core.masking import mask_citizen_contact
from hotline.core.models import AccessRecord
from hotline.notifications.models import Notification
from hotline.tickets import services as ticket_services
from hotline.tickets.models import Citizen
from hotline.tickets.selectors import citizen_for


def test_r_in_1_mail_citizen_gets_an_email_not_a_phone(make_request, operator):
    request = make_request(email="li.si.long.address@mail.example.org")
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    citizen = ticket.citizen
    assert citizen.email == "li.si.long.address@mail.example.org"  # longer than 32
    assert citizen.phone == "" and citizen.wechat_openid == ""


def test_r_in_1_wechat_citizen_gets_an_openid_not_a_phone(make_request, operator):
    request = make_request(
        channel="wechat", email="", wechat_openid="oAbCdEfGhIjKlMnOpQrStUvWxYz12"
    )
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    assert ticket.citizen.wechat_openid == "oAbCdEfGhIjKlMnOpQrStUvWxYz12"
    assert ticket.citizen.phone == ""
    # the same follower again is the same citizen
    again = make_request(
        channel="wechat", email="", wechat_openid="oAbCdEfGhIjKlMnOpQrStUvWxYz12", body="又坏了"
    )
    second = services.online_request_accept(actor=operator, request=again, kind="help")
    assert second.citizen_id == ticket.citizen_id


@pytest.mark.parametrize("channel", ["phone", "web", "mailbox"])
@pytest.mark.parametrize("contact", ["zhang@example.org", "wx:oAbC", "<b>1</b>"])
def test_phone_column_takes_phones_only_on_every_channel(demo, operator, channel, contact):
    with pytest.raises(DomainError):
        ticket_services.ticket_create(
            actor=operator, phone=contact, summary="路灯", kind="help", channel=channel
        )
    assert not Citizen.objects.exists()


def test_phone_intake_needs_a_phone_even_with_an_email(demo, operator):
    with pytest.raises(DomainError):
        ticket_services.ticket_create(
            actor=operator, phone="", email="a@example.org", summary="路灯", kind="help"
        )


def test_bad_email_or_openid_is_refused(demo, operator):
    for extra in ({"email": "not an address"}, {"wechat_openid": "wx:<script>"}):
        with pytest.raises(DomainError):
            ticket_services.ticket_create(
                actor=operator, phone="", summary="路灯", kind="help", channel="web", **extra
            )
    assert not Citizen.objects.exists()


def test_r_se_email_and_openid_masked_and_views_logged(make_request, operator, users):
    mail = services.online_request_accept(actor=operator, request=make_request(), kind="help")
    wx = services.online_request_accept(
        actor=operator,
        request=make_request(channel="wechat", email="", wechat_openid="oAbCdEfGh12"),
        kind="help",
    )
    masked = citizen_for(users["analyst"], mail)
    assert masked["email"] == "z***@example.org" and masked["phone"] == ""
    assert citizen_for(users["analyst"], wx)["wechat"] == "wx:oAb***12"
    assert str(mail.citizen) == "张**"
    assert mask_citizen_contact(Citizen(email="zhang@example.org")) == "z***@example.org"
    assert mask_citizen_contact(Citizen(wechat_openid="oAbCdEfGh12")) == "wx:oAb***12"
    assert not AccessRecord.objects.filter(what=IDENTITY).exists()
    full = citizen_for(operator, mail)
    assert full["email"] == "zhang@example.org"
    assert citizen_for(operator, wx)["wechat"] == "wx:oAbCdEfGh12"
    assert AccessRecord.objects.filter(what=IDENTITY, user_id=operator.pk).count() == 2


def test_r_fb_1_mail_citizen_is_answered_by_mail_never_by_sms(make_request, operator, users):
    request = make_request(reply_channel="email")
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    unit = users["unit_clerk"].unit
    ticket_services.ticket_dispatch(actor=users["dispatcher"], ticket=ticket, lead=unit)
    progress.send_notices()
    sms = Notification.objects.filter(channel="sms", ticket=ticket)
    assert not sms.exists()
    mails = Notification.objects.filter(channel="email", ticket=ticket, key__startswith="progress:")
    assert [m.address for m in mails] == ["zhang@example.org"]


def test_data_migration_moves_old_contacts_out_of_the_phone_column(demo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("hotline.tickets.migrations.0012_citizen_email_wechat")
    Citizen.objects.create(phone="zhang@example.org", name="张三")
    Citizen.objects.create(phone="wx:oAbC12", name="李四")
    Citizen.objects.create(phone="13800001111", name="王五")
    migration.move_channel_contacts(apps, None)
    rows = {c.name: (c.phone, c.email, c.wechat_openid) for c in Citizen.objects.all()}
    assert rows == {
        "张三": ("", "zhang@example.org", ""),
        "李四": ("", "", "oAbC12"),
        "王五": ("13800001111", "", ""),
    }
