"""Progress by e-mail for citizens who wrote in and chose it (R-FB-1, R-HM-10)."""

from hotline.channels import progress, services
from hotline.notifications.models import Notification
from hotline.site.tick import run_once


def test_email_citizen_gets_dispatch_and_result_r_hm_10(make_request, operator, flow):
    request = make_request(reply_channel="email", phone="13800004444")
    ticket = services.online_request_accept(actor=operator, request=request, kind="consult")
    flow.dispatch(ticket)
    flow.sign(ticket)
    progress.send_notices()
    dispatched = Notification.objects.filter(key__startswith="progress:", channel="email")
    assert dispatched.count() == 1 and "住房和城乡建设局" in dispatched.get().body  # R-HM-10
    flow.reply(ticket, text="路灯已于 9 月 30 日修复")
    flow.approve_reply(ticket)
    flow.complete(ticket)
    run_once()  # the tick runs the same job; a second pass queues nothing twice
    progress.send_notices()
    bodies = [
        n.body for n in Notification.objects.filter(key__startswith="progress:").order_by("pk")
    ]
    assert len(bodies) == 2 and "路灯已于 9 月 30 日修复" in bodies[-1]
    assert all(
        n.address == "zhang@example.org"
        for n in Notification.objects.filter(key__startswith="progress:")
    )
    ticket.refresh_from_db()
    text = progress.progress_text(ticket)
    assert ticket.number in text and "路灯已于 9 月 30 日修复" in text


def test_sms_choosers_are_left_to_the_ticket_services(make_request, operator, flow):
    request = make_request(reply_channel="sms", phone="13800005555")
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    flow.dispatch(ticket)
    assert progress.send_notices() == {"sent": 0}
    assert Notification.objects.filter(key__startswith="dispatch:", channel="sms").exists()


def test_r_fb_1_one_timeline_for_portal_sms_wechat_and_notices(make_request, operator, flow):
    """The portal's steps, the SMS/WeChat answer and the e-mail notice say the same words."""
    from hotline.portal import selectors

    request = make_request(reply_channel="email", phone="13800006666")
    ticket = services.online_request_accept(actor=operator, request=request, kind="consult")
    flow.dispatch(ticket)
    found = selectors.track(number=ticket.number, phone="13800006666")
    step = found.steps[-1]
    assert step.title == "已转交承办单位" and "住房和城乡建设局" in step.detail
    assert progress.step_text(step) in progress.progress_text(ticket)
    progress.send_notices()
    notice = Notification.objects.get(key__startswith="progress:", channel="email")
    assert progress.step_text(step) in notice.body
    request.refresh_from_db()
    assert found.steps == progress.request_steps(request) + progress.ticket_steps(ticket)


def test_senders_above_notices_are_registered_at_ready():
    """notices and progress reach transfers and sms through the registry ChannelsConfig
    fills, not an import upward (the no-cycles contract)."""
    from hotline.channels import notices, sms, transfers

    assert notices._sender(notices.TRANSFER_REPORT) is transfers.report_back
    assert notices._sender(notices.SMS_VISIT) is sms.invite_visit
