"""Locust users for bench/throughput.py (run by it, one phase per run): BENCH_PHASE is
`create` (operators creating tickets back to back), `dispatch` (each task creates a
ticket and dispatches it) or `bulk` (batches of BENCH_BATCH rows to /api/tickets/bulk).

Reads BENCH_SESSIONS (JSON {"operator": [...], "dispatcher": [...]} session keys) and
BENCH_LEAD (the unit code dispatched to). FastHttpUser: the load process itself should
take as little of the two cores as it can."""

from __future__ import annotations

import itertools
import json
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PHASE = os.environ.get("BENCH_PHASE", "create")
SESSIONS = json.loads(os.environ["BENCH_SESSIONS"])
LEAD = os.environ.get("BENCH_LEAD", "QX-CD")
BATCH = int(os.environ.get("BENCH_BATCH", "500"))
CSRF = os.environ["BENCH_CSRF"]
_operators = itertools.cycle(SESSIONS["operator"])
_dispatchers = itertools.cycle(SESSIONS["dispatcher"])
_serial = itertools.count()
KINDS = ("help", "complaint", "consult", "suggest")


def ticket(n: int) -> dict:
    return {
        "phone": f"139{n % 5000:08d}",  # callers repeat, as on a real line
        "name": "市民",
        "summary": f"青溪路{n % 97}号路灯不亮",
        "detail": f"青溪路{n % 97}号门口路灯坏了一个月，晚上很黑，老人出门不方便。编号{n}",
        "address": f"青溪路{n % 97}号",
        "kind": KINDS[n % len(KINDS)],
    }


def headers(session: str) -> dict[str, str]:
    return {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/json",
    }


class Intake(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.operator = headers(next(_operators))
        self.dispatcher = headers(next(_dispatchers))

    def _create(self) -> str | None:
        with self.client.post(
            "/api/tickets", data=json.dumps(ticket(next(_serial))), headers=self.operator,
            name="create", catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"create {response.status_code}: {response.text[:200]}")
                return None
            return response.json()["number"]

    @task
    def step(self) -> None:
        if PHASE == "bulk":
            rows = [ticket(next(_serial)) for _ in range(BATCH)]
            with self.client.post(
                "/api/tickets/bulk", data=json.dumps({"tickets": rows}),
                headers=self.operator, name="bulk", catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code != 201 or response.json()["count"] != BATCH:
                    response.failure(f"bulk {response.status_code}: {response.text[:200]}")
            return
        number = self._create()
        if PHASE != "dispatch" or number is None:
            return
        with self.client.post(
            f"/api/tickets/{number}/dispatch", data=json.dumps({"lead": LEAD}),
            headers=self.dispatcher, name="dispatch", catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"dispatch {response.status_code}: {response.text[:200]}")
