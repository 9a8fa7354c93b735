"""The WeChat official account: URL verification, signed XML messages, passive replies, a
request dialogue, progress queries, template messages through a local stand-in for
WeChat's API (R-IN-1, R-FB-1)."""

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from wechatpy import parse_message

from hotline.channels import services, wechat
from hotline.channels.models import OnlineRequest
from hotline.channels.tests.servers import free_port
from hotline.notifications.models import Notification
from hotline.notifications.services import deliver_due

TOKEN = "wechat-token"
OPENID = "oABCDEFGHIJKLMNOPQRSTUVWXYZ0"


def _query(stamp=None, token=TOKEN, nonce="n0nce"):
    stamp = str(int(time.time())) if stamp is None else stamp
    signature = hashlib.sha1("".join(sorted([token, stamp, nonce])).encode()).hexdigest()
    return f"?signature={signature}&timestamp={stamp}&nonce={nonce}"


def _xml(content, msg_id, openid=OPENID, kind="text"):
    return (
        f"<xml><ToUserName><![CDATA[gh_hotline]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


@pytest.fixture
def say(client, settings, demo):
    settings.HOTLINE_WECHAT_TOKEN = TOKEN

    def send(content, msg_id, openid=OPENID, *, query=None, raw=None):
        answer = client.post(
            "/channels/wechat/" + (query or _query()),
            raw if raw is not None else _xml(content, msg_id, openid),
            content_type="text/xml",
        )
        if answer.status_code == 200 and answer.content.startswith(b"<xml>"):
            reply = parse_message(answer.content.decode())
            assert reply.target == openid  # the passive reply goes back to the writer
            return reply.content
        return answer

    return send


class WeChatApi(BaseHTTPRequestHandler):
    sent: list = []

    def do_GET(self):
        self._json({"access_token": "ACCESS", "expires_in": 7200})

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.sent.append((self.path, json.loads(self.rfile.read(length))))
        self._json({"errcode": 0, "errmsg": "ok", "msgid": len(self.sent)})

    def _json(self, data):
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def wechat_api(settings):
    """A local HTTP server in place of api.weixin.qq.com."""
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), WeChatApi)
    WeChatApi.sent = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HOTLINE_WECHAT_APPID, settings.HOTLINE_WECHAT_SECRET = "wxapp", "wxsecret"
    settings.HOTLINE_WECHAT_TEMPLATE_ID = "TEMPLATE"
    settings.HOTLINE_WECHAT_API_BASE = f"http://127.0.0.1:{port}/cgi-bin/"
    yield WeChatApi.sent
    server.shutdown()
    server.server_close()


def test_url_verification(client, settings, demo):
    settings.HOTLINE_WECHAT_TOKEN = TOKEN
    assert client.get("/channels/wechat/" + _query() + "&echostr=abc123").content == b"abc123"
    bad = client.get("/channels/wechat/" + _query(token="guess") + "&echostr=abc123")
    assert bad.status_code == 403


def test_a_text_starts_a_request_dialogue(say):
    asked = say("小区门口垃圾堆放一周无人清理", 1001)
    assert "手机号码" in asked and not OnlineRequest.objects.exists()
    assert "格式不正确" in say("不告诉你啊", 1002)
    done = say("138 0000 7777", 1003)
    request = OnlineRequest.objects.get()
    assert request.number in done
    assert (request.channel, request.wechat_openid, request.phone, request.reply_channel) == (
        "wechat",
        OPENID,
        "13800007777",
        "wechat",
    )
    assert request.body == "小区门口垃圾堆放一周无人清理"
    assert "查询" in say("你好", 1004)  # too short to be a request: the help text


def test_skip_phone_and_replayed_message(say):
    say("人行道上的井盖松动了", 2001)
    say("跳过", 2002)
    assert OnlineRequest.objects.get().phone == ""
    replay = say("跳过", 2002)
    assert replay.content == b"success" and OnlineRequest.objects.count() == 1


def test_progress_query_only_for_the_followers_own_requests(say, operator, flow):
    say("路灯坏了一个月没人修", 3001)
    say("13800007777", 3002)
    request = OnlineRequest.objects.get()
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    flow.dispatch(ticket)
    answer = say(f"查询 {ticket.number}", 3003)
    assert ticket.number in answer and "住房和城乡建设局" in answer
    assert say(f"查询 {ticket.number}", 3004, openid="oSOMEONEELSE") == wechat.NO_MATCH


def test_bad_requests_are_refused(say):
    stale = say("x", 4001, query=_query(stamp=str(int(time.time()) - 3600)))
    assert stale.status_code == 403
    assert say(None, 4002, raw=b"<xml><unclosed>").status_code == 400
    assert say(None, 4003, raw=b"<xml>" + b"a" * 70000 + b"</xml>").status_code == 413
    assert say("路灯\x01坏了", 4004).status_code == 400  # not XML at all
    assert not OnlineRequest.objects.exists()


def test_closed_channel_answers_in_the_reply(say, users):
    services.channel_configure(
        actor=users["admin"], channel="wechat", open=False, closed_message="微信渠道暂停受理"
    )
    assert say("小区门口垃圾堆放一周无人清理", 5001) == "微信渠道暂停受理"


def test_template_messages_for_acceptance_and_progress(say, wechat_api, operator, flow):
    say("路灯坏了一个月没人修", 6001)
    say("跳过", 6002)
    request = OnlineRequest.objects.get()
    ticket = services.online_request_accept(actor=operator, request=request, kind="help")
    flow.dispatch(ticket)
    from hotline.channels import progress

    progress.send_notices()
    assert (
        Notification.objects.filter(channel="wechat").count() == 3
    )  # received, accepted, dispatched
    assert deliver_due()["sent"] >= 3
    templates = [data for path, data in wechat_api if "template/send" in path]
    assert len(templates) == 3
    assert all(t["touser"] == OPENID and t["template_id"] == "TEMPLATE" for t in templates)
    bodies = " ".join(t["data"]["remark"]["value"] for t in templates)
    assert request.number in bodies and ticket.number in bodies and "住房和城乡建设局" in bodies


def test_nul_and_lone_surrogates_are_answered_not_stored(demo):
    for bad in ("路灯\x00坏了很久了", "路灯\ud800坏了很久了"):
        assert "无效字符" in wechat.handle_text(openid=OPENID, content=bad, message_id="x")
    assert not OnlineRequest.objects.exists()


# --- safe mode (消息加解密): encrypted requests and replies through wechatpy's crypto ----

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues
APPID = "wxapp"


def _crypto():
    from wechatpy.crypto import WeChatCrypto

    return WeChatCrypto(TOKEN, AES_KEY, APPID)


def _encrypted_query(envelope, stamp, nonce, *, bad_signature=False):
    import xmltodict

    cipher = xmltodict.parse(envelope)["xml"]["Encrypt"]
    parts = sorted([TOKEN, stamp, nonce, cipher])
    msg_signature = hashlib.sha1("".join(parts).encode()).hexdigest()
    if bad_signature:
        msg_signature = "0" * 40
    return _query(stamp, nonce=nonce) + f"&encrypt_type=aes&msg_signature={msg_signature}"


def _post(client, query, body):
    return client.post("/channels/wechat/" + query, body, content_type="text/xml")


@pytest.fixture
def safe_mode(settings, users):
    settings.HOTLINE_WECHAT_APPID = APPID
    services.channel_configure(
        actor=users["admin"], channel="wechat", open=True, message_security="safe", aes_key=AES_KEY
    )


def test_safe_mode_decrypts_the_request_and_encrypts_the_reply(say, client, safe_mode):
    """R-IN-1: WeChat in safe mode (消息加解密) takes encrypted messages only."""
    stamp, nonce = str(int(time.time())), "n0nce"
    envelope = _crypto().encrypt_message(
        _xml("小区门口路灯坏了一个月", 5001).decode(), nonce, stamp
    )
    answer = _post(client, _encrypted_query(envelope, stamp, nonce), envelope)
    assert answer.status_code == 200 and b"<Encrypt>" in answer.content
    assert "小区门口路灯" not in answer.content.decode()  # the reply is not in clear
    reply_query = answer.content.decode()
    import xmltodict

    sent = xmltodict.parse(reply_query)["xml"]
    plain = _crypto().decrypt_message(
        reply_query, sent["MsgSignature"], sent["TimeStamp"], sent["Nonce"]
    )
    reply = parse_message(plain)
    assert reply.target == OPENID and "已记录您的诉求" in reply.content


def test_safe_mode_refuses_a_bad_signature_and_plain_messages(say, client, safe_mode):
    stamp, nonce = str(int(time.time())), "n0nce"
    envelope = _crypto().encrypt_message(_xml("路灯坏了很久了", 5002).decode(), nonce, stamp)
    bad = say(
        None, None, query=_encrypted_query(envelope, stamp, nonce, bad_signature=True), raw=envelope
    )
    assert bad.status_code == 403
    plain = say("路灯坏了很久了", 5003)
    assert plain.status_code == 403 and "安全模式" in plain.content.decode()
    from hotline.channels.models import WeChatDialogue

    assert not WeChatDialogue.objects.exists()


def test_compatible_mode_takes_both_and_plain_mode_refuses_cipher(say, client, settings, users):
    settings.HOTLINE_WECHAT_APPID = APPID
    stamp, nonce = str(int(time.time())), "n0nce"
    envelope = _crypto().encrypt_message(_xml("路灯坏了很久了", 5004).decode(), nonce, stamp)
    query = _encrypted_query(envelope, stamp, nonce)
    assert _post(client, query, envelope).status_code == 403  # plain mode
    services.channel_configure(
        actor=users["admin"],
        channel="wechat",
        open=True,
        message_security="compatible",
        aes_key=AES_KEY,
    )
    assert b"<Encrypt>" in _post(client, query, envelope).content
    assert "取消" in say("取消", 5005)  # a plain message is answered in plain


def test_aes_key_is_checked_and_needed(users):
    from hotline.core.errors import DomainError

    for key in ("short", "!" * 43):
        with pytest.raises(DomainError):
            services.channel_configure(
                actor=users["admin"], channel="wechat", open=True, aes_key=key
            )
    with pytest.raises(DomainError):
        services.channel_configure(
            actor=users["admin"], channel="wechat", open=True, message_security="safe"
        )
    with pytest.raises(DomainError):
        services.channel_configure(
            actor=users["admin"], channel="sms", open=True, message_security="safe", aes_key=AES_KEY
        )


def test_administrator_sets_safe_mode_on_the_channels_page(client, users):
    from django.urls import reverse

    from hotline.channels.models import ChannelConfig

    client.force_login(users["admin"])
    url = reverse("channels:settings")
    data = {"channel": "wechat", "open": "on", "message_security": "safe", "aes_key": AES_KEY}
    assert client.post(url, data).status_code == 302
    config = ChannelConfig.objects.get(channel="wechat")
    assert (config.message_security, config.aes_key) == ("safe", AES_KEY)
    page = client.get(url).content.decode()
    assert AES_KEY not in page  # the key is never shown again
    kept = client.post(url, {"channel": "wechat", "open": "on", "message_security": "safe"})
    assert kept.status_code == 302
    assert ChannelConfig.objects.get(channel="wechat").aes_key == AES_KEY
