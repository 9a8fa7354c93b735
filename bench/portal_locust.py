"""Locust users for bench/portal.py (run by it; not on its own): trackers look up a ticket
by number and phone; submitters send a request with a photo from a proved phone.

FastHttpUser (geventhttpclient), as bench/mixed_locust.py: the load generator shares the
two cores with the server, and python-requests costs it several times the CPU per
request. Cookies (the CSRF cookie, the submitter's session) live in each user's jar.

Reads BENCH_PORTAL_FIXTURES (JSON written by bench/portal.py): {"track": [[number, phone],
...], "sessions": [session key, ...]}."""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import between, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

FIXTURES = json.loads(Path(os.environ["BENCH_PORTAL_FIXTURES"]).read_text(encoding="utf-8"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_track = itertools.cycle(FIXTURES["track"])
_sessions = iter(FIXTURES["sessions"])
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def session_cookie(host: str, key: str) -> Cookie:
    domain = urlsplit(host).hostname or ""
    return Cookie(0, "sessionid", key, None, False, domain, False, False, "/", True, False,
                  None, False, None, None, {})  # fmt: skip


def multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body (FastHttpUser has no `files=`) and its content type."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        f"\r\nContent-Type: image/png\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Tracker(FastHttpUser):
    """A citizen checking progress now and then (think time 1–3 s)."""

    weight = int(os.environ.get("BENCH_TRACKERS", "200"))
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.number, self.phone = next(_track)
        page = self.client.get("/portal/track/", name="track form")
        self.token = TOKEN.search(page.text).group(1)

    @task
    def track(self) -> None:
        with self.client.post(
            "/portal/track/",
            data=urlencode(
                {"csrfmiddlewaretoken": self.token, "number": self.number, "phone": self.phone}
            ),
            headers={**FORM, "Referer": self.host + "/portal/track/"},
            name="track",
            catch_response=True,
        ) as response:
            if "当前状态" not in response.text:
                response.failure("no progress shown")


class Submitter(FastHttpUser):
    """A proved phone submitting once a second (20 of them: 20 submissions/s)."""

    weight = int(os.environ.get("BENCH_SUBMITTERS", "20"))
    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        self.client.cookiejar.set_cookie(session_cookie(self.host, next(_sessions)))

    @task
    def submit(self) -> None:
        with self.client.get("/portal/submit/", name="submit form", catch_response=True) as page:
            token = TOKEN.search(page.text)
            if token is None:
                page.failure(f"no form (status {page.status_code})")
                return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "kind": "complaint",
            "subject": "小区路灯不亮",
            "body": "青溪路 12 号门口路灯坏了一个月，晚上很黑。",
            "place": "青溪路 12 号",
            "reply_channel": "sms",
            "captcha_0": "bench",
            "captcha_1": "PASSED",
        }
        body, content_type = multipart(data, "files", "lamp.png", PNG)
        with self.client.post(
            "/portal/submit/",
            data=body,
            headers={"Content-Type": content_type, "Referer": self.host + "/portal/submit/"},
            name="submit",
            catch_response=True,
        ) as response:
            if 'id="number"' not in response.text:
                response.failure(f"no number (status {response.status_code})")
