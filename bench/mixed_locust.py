"""Locust users for bench/mixed.py (run by it): a working day's mix at the hotline.

Operators look a caller up, are shown possible duplicates while they type, and create a
ticket (API); dispatchers open their queue and a ticket's page and dispatch it (API) to
one of seven units; unit clerks open their inbox, sign and reply (API); citizens track
their request on the portal. Tickets flow between them through in-process queues (one
locust process), so nobody acts on a ticket twice and no conflict is manufactured.

Reads BENCH_FIXTURES (JSON from bench/mixed.py) and BENCH_CSRF."""

from __future__ import annotations

import collections
import itertools
import json
import os
import random
from pathlib import Path

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

FIXTURES = json.loads(Path(os.environ["BENCH_FIXTURES"]).read_text(encoding="utf-8"))
CSRF = os.environ["BENCH_CSRF"]
UNITS = list(FIXTURES["clerks"])  # unit code → clerk sessions
# Only what this run creates: a later run in the same database must not dispatch twice.
to_dispatch: collections.deque[str] = collections.deque()
to_sign: dict[str, collections.deque[int]] = {u: collections.deque() for u in UNITS}
_serial = itertools.count()
_track = itertools.cycle(FIXTURES["track"])
_operators = itertools.cycle(FIXTURES["operators"])
_dispatchers = itertools.cycle(FIXTURES["dispatchers"])
_clerks = itertools.cycle([(u, s) for u in UNITS for s in FIXTURES["clerks"][u]])
WORDS = ("路灯不亮", "噪音扰民", "道路积水", "垃圾清运", "占道经营", "停水")


def cookie(session: str | None) -> dict[str, str]:
    jar = f"csrftoken={CSRF}" + (f"; sessionid={session}" if session else "")
    return {"Cookie": jar, "X-CSRFToken": CSRF}


def api(session: str) -> dict[str, str]:
    return {**cookie(session), "Content-Type": "application/json"}


class Staff(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)

    def page(self, path: str, name: str, headers: dict[str, str]) -> None:
        with self.client.get(path, headers=headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{name} {r.status_code}")

    def post(self, path: str, body: dict, name: str, headers: dict[str, str], ok: int = 200):
        with self.client.post(
            path, data=json.dumps(body), headers=headers, name=name, catch_response=True
        ) as r:
            if r.status_code != ok:
                r.failure(f"{name} {r.status_code}: {r.text[:200]}")
                return None
            return r.json()


class Operator(Staff):
    weight = 4

    def on_start(self) -> None:
        self.headers = cookie(next(_operators))
        self.api = {**self.headers, "Content-Type": "application/json"}

    @task(1)
    def intake_page(self) -> None:
        self.page("/intake/", "page: intake", self.headers)

    @task(4)
    def call(self) -> None:
        n = next(_serial)
        phone = f"138{n % 3000:08d}"
        word = WORDS[n % len(WORDS)]
        self.page(f"/workbench/intake/history/?phone={phone}", "page: caller history", self.headers)
        self.page(
            f"/workbench/intake/duplicates/?summary={word}&detail=青溪路{n % 50}号{word}",
            "page: duplicates while typing",
            self.headers,
        )
        made = self.post(
            "/api/tickets",
            {"phone": phone, "name": "市民", "summary": f"青溪路{n % 50}号{word}",
             "detail": f"青溪路{n % 50}号{word}，已经好几天了。", "kind": "complaint"},
            "api: create", self.api, ok=201,
        )  # fmt: skip
        if made:
            to_dispatch.append(made["number"])


class Dispatcher(Staff):
    weight = 1

    def on_start(self) -> None:
        self.headers = cookie(next(_dispatchers))
        self.api = {**self.headers, "Content-Type": "application/json"}

    @task(1)
    def queue(self) -> None:
        self.page("/dispatch/", "page: dispatch queue", self.headers)

    @task(4)
    def dispatch(self) -> None:
        if not to_dispatch:
            self.page("/dispatch/", "page: dispatch queue", self.headers)
            return
        number = to_dispatch.popleft()
        self.page(f"/tickets/{number}/", "page: ticket", self.headers)
        unit = random.choice(UNITS)
        made = self.post(f"/api/tickets/{number}/dispatch", {"lead": unit}, "api: dispatch",
                         self.api)  # fmt: skip
        if made:
            to_sign[unit].append(made["assignments"][-1]["id"])


class Clerk(Staff):
    weight = 2

    def on_start(self) -> None:
        self.unit, session = next(_clerks)
        self.headers = cookie(session)
        self.api = {**self.headers, "Content-Type": "application/json"}

    @task(1)
    def inbox(self) -> None:
        self.page("/inbox/", "page: inbox", self.headers)

    @task(2)
    def work(self) -> None:
        queue = to_sign[self.unit]
        if not queue:
            self.page("/inbox/", "page: inbox", self.headers)
            return
        pk = queue.popleft()
        if self.post(f"/api/tickets/assignments/{pk}/sign", {}, "api: sign", self.api):
            self.post(
                f"/api/tickets/assignments/{pk}/reply",
                {"text": "经现场核实，已安排人员处理完毕，并已电话告知市民处理结果。",
                 "result": "resolved"},
                "api: reply", self.api,
            )  # fmt: skip


class Tracker(FastHttpUser):
    """A citizen checking progress on the portal (think time 2–5 s)."""

    weight = 6
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.number, self.phone = next(_track)

    @task
    def track(self) -> None:
        with self.client.post(
            "/portal/track/",
            data=f"csrfmiddlewaretoken={CSRF}&number={self.number}&phone={self.phone}",
            headers={**cookie(None), "Content-Type": "application/x-www-form-urlencoded"},
            name="portal: track",
            catch_response=True,
        ) as r:
            if r.status_code != 200 or "当前状态" not in r.text:
                r.failure(f"track {r.status_code}")
