"""`make run` itself: every service answers /readyz, and Ctrl-C stops everything it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.pg import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "cases", "notify", "reporting")


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _log(tmp_path: Path) -> str:
    return (tmp_path / "run.log").read_text(errors="replace")


def test_make_run_starts_all_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    ports = {name: free_port() for name in SERVICES}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
    env |= {f"ZUOFENG_{name.upper()}_PORT": str(port) for name, port in ports.items()}
    env["ZUOFENG_VAR_DIR"] = str(tmp_path / "var")
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115
    # A session of its own, like a terminal's foreground job that Ctrl-C signals as a group.
    launcher = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not all(_ready(port) for port in ports.values()) or "services ready" not in _log(
            tmp_path
        ):
            assert launcher.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            time.sleep(0.3)
        nats_pid = int((tmp_path / "var" / "nats.pid").read_text())
        assert (tmp_path / "var" / "nats.url").read_text().startswith("nats://127.0.0.1:")
        assert ":4222" not in (tmp_path / "var" / "nats.url").read_text()

        os.killpg(launcher.pid, signal.SIGINT)
        # make itself dies of the SIGINT, as in a terminal; what matters is what is left behind.
        launcher.wait(timeout=30)
        output = _log(tmp_path)
        assert "all four services ready" in output and "eyJ" in output  # the banner with a token
        assert not any(_listening(port) for port in ports.values())
        assert not Path(f"/proc/{nats_pid}").exists(), "nats-server outlived make run"
        assert not (tmp_path / "var" / "nats.pid").exists()
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
