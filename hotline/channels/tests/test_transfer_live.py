"""Hotline-to-hotline transfer between two live servers on 127.0.0.1, each with its own
data directory and database (ZS 24, R-IN-1 "transferred in")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.channels.tests.servers import free_port, wait_for_port

KEY = "a-key-shared-by-both-hotlines"
HOTLINE = [sys.executable, "-m", "hotline.cli"]


class City:
    def __init__(self, root: Path, code: str) -> None:
        self.code, self.port = code, free_port()
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(
            HOTLINE_DATA_DIR=str(root / code),
            HOTLINE_PARTNER_CODE=code,
            DJANGO_SETTINGS_MODULE="config.settings",
        )
        self.server: subprocess.Popen | None = None
        self.log = root / f"{code}-server.log"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/channels/partner/"

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*HOTLINE, *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def step(self, name: str, *args: str) -> dict:
        arguments = ", ".join(map(repr, args))
        call = f"from hotline.channels.tests import transfer_steps as s; s.{name}({arguments})"
        out = self.run("shell", "-c", call)
        return json.loads(out.strip().splitlines()[-1])

    def start(self) -> None:
        self.server = subprocess.Popen(
            # gunicorn itself, as `hotline serve` runs it, without its migrate and
            # collectstatic (the data directory is ready; partners call the API only).
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "config.wsgi:application",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )

    def wait(self) -> None:
        try:
            wait_for_port(self.port, timeout=300)
        except RuntimeError:
            raise RuntimeError(self.log.read_text(errors="replace")[-3000:]) from None

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)


@pytest.fixture
def cities(tmp_path):
    a, b = City(tmp_path, "qx"), City(tmp_path, "yc")
    try:
        # One demo city built, its data directory copied: two hotlines, two databases.
        a.run("demo-city")
        shutil.copytree(tmp_path / a.code, tmp_path / b.code)
        for city, other, name in ((a, b, "乙市12345热线"), (b, a, "青溪12345热线")):
            city.run("channels", "partner", "--code", other.code, "--name", name,
                     "--url", other.api, "--key", KEY)  # fmt: skip
            city.start()
        for city in (a, b):
            city.wait()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_transfer_out_accepted_and_completed_come_back_zs_24(cities):
    a, b = cities
    sent = a.step("send_out", b.code)
    assert sent["sent"] == 1  # B's server took it
    received = b.step("show_in")
    assert received["subject"] == "乙市高速服务区收费不合理"
    assert "内部备注" not in json.dumps(received, ensure_ascii=False)  # public content only
    # the public photo travels with the matter, the complaint evidence never does
    assert received["files"] == [["收据.png", "89504e470d0a1a0a"]]

    accepted = b.step("accept_in")
    assert accepted["channel"] == "transfer" and accepted["phone"] == "13800009999"
    assert accepted["sent"] == 1
    assert accepted["files"] == ["收据.png"]
    state = a.step("show_out")
    assert state["state"] == "accepted" and state["remote"] == accepted["number"]

    completed = b.step("complete_in")
    assert completed["sent"] == 1, completed
    state = a.step("show_out")
    assert state["state"] == "completed"
    assert state["result"] == "已责令服务区退还多收费用"
    assert any("已办结" in n and "退还多收费用" in n for n in state["notes"])
    # the other way: the result's public file comes back, not the photo we sent
    assert state["files"] == ["evidence.txt", "收据.png", "退费凭证.png"]
