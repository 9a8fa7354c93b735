"""The parts of the crash run (bench/crash.py) that the test suite uses too: processes
killed with SIGKILL and started again, an HTTP load that records what it was told, a
stand-in SMS gateway (issue 14 items 13 and 15). bench/crashcheck.py makes the back-dated
work that keeps the tick busy and compares the database with what the load got as 2xx.

Imported with Django set up (the harness reads the database through the ORM).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARK = "crash-"  # every ticket of the load carries MARK + a unique id in its summary


# --- a stand-in SMS gateway -------------------------------------------------------------


class Gateway:
    """Answers 200 to every SMS after `delay` seconds and counts each message by the
    idempotency key the hotline sends with it (a kill between the gateway's answer and
    the hotline's commit makes the tick send it again: the key lets a gateway drop it)."""

    def __init__(self, delay: float = 0.02) -> None:
        self.received: Counter[str] = Counter()
        lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                time.sleep(delay)
                key = self.headers.get("Idempotency-Key") or body.get("id") or ""
                with lock:
                    gateway.received[key] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- processes killed with SIGKILL ----------------------------------------------------


class Node:
    """One `hotline serve` (gunicorn master and workers) or `hotline tick`, in a process
    group of its own so that kill -9 takes all of it at once."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Cluster:
    """`servers` web servers (one port each) and `ticks` tick workers on one database."""

    def __init__(
        self, *, env: dict[str, str], work: Path, ports: list[int], ticks: int, workers: int = 2
    ) -> None:
        hotline = str(Path(sys.executable).parent / "hotline")
        self.ports = ports
        self.servers = [
            Node(
                f"serve:{port}",
                [
                    hotline,
                    "serve",
                    "--no-setup",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                ],
                env,
                work / f"serve-{port}.log",
            )
            for port in ports
        ]
        self.ticks = [
            Node(f"tick:{i}", [hotline, "tick", "--interval", "0.5"], env, work / f"tick-{i}.log")
            for i in range(ticks)
        ]
        self.up: dict[int, bool] = dict.fromkeys(ports, False)

    def start(self) -> None:
        for node in self.servers:
            node.start()
        for port in self.ports:
            self.wait_ready(port)
        for node in self.ticks:
            node.start()

    def wait_ready(self, port: int, seconds: float = 300) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5):
                    self.up[port] = True
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server on port {port} did not answer /health/")

    def kill_server(self, index: int) -> None:
        node = self.servers[index]
        self.up[self.ports[index]] = False
        node.kill9()

    def restart_server(self, index: int) -> None:
        self.servers[index].start()
        self.wait_ready(self.ports[index])

    def kill_one(self, rng: random.Random, k: int) -> None:
        """The k-th kill: even, a random server (kill -9 of its group, restarted and
        awaited); odd, a random tick (kill -9, started again)."""
        if k % 2 == 0:
            index = rng.randrange(len(self.servers))
            self.kill_server(index)
            self.restart_server(index)
        else:
            node = self.ticks[rng.randrange(len(self.ticks))]
            node.kill9()
            node.start()

    def stop(self) -> None:
        for node in self.ticks + self.servers:
            node.stop()

    @property
    def kills(self) -> dict[str, int]:
        return {
            "serve": sum(n.kills for n in self.servers),
            "tick": sum(n.kills for n in self.ticks),
        }


# --- the load ---------------------------------------------------------------------------


def login_cookies(username: str) -> dict[str, str]:
    """A session for `username` (as a login makes it) and a CSRF secret for its header."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from hotline.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": _get_new_csrf_string()}


@dataclass
class Tally:
    """What the load process was told. `unknown`: the connection broke after the request
    was sent (the server was killed): the ticket may or may not exist, never twice."""

    created_ok: dict[str, str] = field(default_factory=dict)  # marker -> ticket number
    created_unknown: set[str] = field(default_factory=set)
    created_failed: dict[str, int] = field(default_factory=dict)  # marker -> status
    dispatched_ok: set[str] = field(default_factory=set)  # ticket numbers
    dispatch_failed: dict[str, int] = field(default_factory=dict)
    by_port: Counter[int] = field(default_factory=Counter)  # 2xx per server
    refused: int = 0  # not sent: the server was down (tried on the next server)
    sent: int = 0
    answered_2xx: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _refused(exc: Exception) -> bool:
    text = str(exc)
    return "Failed to establish a new connection" in text or "Connection refused" in text


class Load:
    """`threads` clients, each creating tickets through the JSON API (POST /api/tickets)
    and dispatching a share of them (POST /api/tickets/<number>/dispatch) on whichever
    server is up, as a load balancer would; a refused connection (server down) is tried
    on the next server; a broken one is recorded as unknown and not retried for a create
    (a retry could double the ticket: there is no idempotency key on create); a dispatch
    is retried until it is answered (the state machine refuses a second one)."""

    def __init__(
        self,
        *,
        cluster: Cluster,
        cookies: dict[str, str],
        dispatcher_cookies: dict[str, str],
        lead: str,
        threads: int = 4,
        dispatch_share: float = 0.5,
    ) -> None:
        self.cluster, self.cookies, self.lead = cluster, cookies, lead
        self.dispatcher_cookies = dispatcher_cookies
        self.threads, self.dispatch_share = threads, dispatch_share
        self.tally = Tally()
        self.stop_event = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.threads):
            thread = threading.Thread(target=self._run, args=(i,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _post(self, session: Any, path: str, payload: dict, seed: int) -> Any:
        """POST to a server that is up; returns the response, or the exception of a
        connection broken after sending. None once the load is stopped."""
        import requests

        ports = self.cluster.ports
        attempt = seed
        while not self.stop_event.is_set():
            port = ports[attempt % len(ports)]
            attempt += 1
            if not self.cluster.up.get(port):
                time.sleep(0.02)
                continue
            try:
                with self.tally.lock:
                    self.tally.sent += 1
                answer = session.post(f"http://127.0.0.1:{port}{path}", json=payload, timeout=30)
                if 200 <= answer.status_code < 300:
                    with self.tally.lock:
                        self.tally.by_port[port] += 1
                return answer
            except requests.RequestException as exc:
                if _refused(exc):
                    with self.tally.lock:
                        self.tally.sent -= 1
                        self.tally.refused += 1
                    time.sleep(0.02)
                    continue
                return exc
        return None

    @staticmethod
    def _session(cookies: dict[str, str]) -> Any:
        import requests

        session = requests.Session()
        for name, value in cookies.items():
            session.cookies.set(name, value, domain="127.0.0.1")
        session.headers["X-CSRFToken"] = cookies["csrftoken"]
        return session

    def _run(self, index: int) -> None:
        session = self._session(self.cookies)
        dispatcher = self._session(self.dispatcher_cookies)
        rng = random.Random(index)
        tally = self.tally
        while not self.stop_event.is_set():
            marker = MARK + uuid.uuid4().hex[:16]
            payload = {
                "phone": f"139{rng.randrange(10**8):08d}",
                "summary": f"路灯不亮 {marker}",
                "detail": "青溪路路灯不亮，晚上看不清路",
                "kind": "help",
            }
            answer = self._post(session, "/api/tickets", payload, index)
            if answer is None:
                return
            if isinstance(answer, Exception):
                with tally.lock:
                    tally.created_unknown.add(marker)
                continue
            if not 200 <= answer.status_code < 300:
                with tally.lock:
                    tally.created_failed[marker] = answer.status_code
                continue
            number = answer.json()["number"]
            with tally.lock:
                tally.answered_2xx += 1
                tally.created_ok[marker] = number
            if rng.random() < self.dispatch_share:
                self._dispatch(dispatcher, number, index)

    def _dispatch(self, session: Any, number: str, index: int) -> None:
        tally = self.tally
        broken = False
        while not self.stop_event.is_set():
            answer = self._post(
                session, f"/api/tickets/{number}/dispatch", {"lead": self.lead}, index
            )
            if answer is None:
                return
            if isinstance(answer, Exception):
                broken = True  # unknown: ask again; the state machine refuses a second one
                continue
            with tally.lock:
                if 200 <= answer.status_code < 300:
                    tally.answered_2xx += 1
                    tally.dispatched_ok.add(number)
                elif broken and answer.status_code == 409:
                    tally.dispatched_ok.add(number)  # the broken attempt had done it
                else:
                    tally.dispatch_failed[number] = answer.status_code
            return
