"""`make run` itself: every service answers /readyz, Ctrl-C stops everything it started, and a
launcher killed with -9 leaves nothing behind that blocks the next start."""

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
SERVICES = ("intake", "cases", "notify", "reporting", "federation")


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


def _environment(tmp_path: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
    env |= {f"ZUOFENG_{name.upper()}_PORT": str(port) for name, port in ports.items()}
    env["ZUOFENG_VAR_DIR"] = str(tmp_path / "var")
    return env


def _start(tmp_path: Path, ports: dict[str, int]) -> subprocess.Popen[bytes]:
    """`make run`, again on fresh ports (the dict is updated) when one was taken meanwhile.

    A port free when drawn can be taken by another test worker's socket before the launcher binds
    it; the launcher then refuses to start, as it should, and that says nothing about `make run`.
    """
    for _ in range(3):
        launcher = _start_once(tmp_path, ports)
        if launcher is not None:
            return launcher
        ports.update({name: free_port() for name in ports})
    raise AssertionError(_log(tmp_path))


def _start_once(tmp_path: Path, ports: dict[str, int]) -> subprocess.Popen[bytes] | None:
    """`make run` in its own session, like a terminal's foreground job (Ctrl-C hits the group)."""
    start = len(_log(tmp_path)) if (tmp_path / "run.log").exists() else 0
    log = open(tmp_path / "run.log", "ab")  # noqa: SIM115 - the child writes it
    launcher = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=_environment(tmp_path, ports),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180  # a loaded CI worker: the behaviour matters, not speed
    while not all(_ready(p) for p in ports.values()) or _log(tmp_path).count("services ready") < 1:
        if launcher.poll() is not None and "is taken: another" in _log(tmp_path)[start:]:
            return None
        assert launcher.poll() is None, _log(tmp_path)
        assert time.monotonic() < deadline, _log(tmp_path)
        time.sleep(0.3)
    return launcher


def _launcher_pid(make_pid: int) -> int:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if parent == make_pid and b"zuofeng" in cmdline:
            return int(proc.name)
    raise AssertionError("launcher process not found")


def _kill_group(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)


def _sign_in_as_demo_officer(tmp_path: Path, port: int) -> None:
    """The banner's demo account signs in at cases' /signin (the password under var/)."""
    import httpx

    password = (tmp_path / "var" / "demo-password").read_text().strip()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        form = http.get("/signin").text
        csrf = form.split('name="csrf" value="')[1].split('"')[0]
        data = {"login": "demo-officer", "password": password, "csrf": csrf}
        answer = http.post("/signin", data=data)
        assert answer.status_code == 303, answer.text
        assert "演示承办人" in http.get("/signin/done").text


def test_make_run_starts_all_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    ports = {name: free_port() for name in SERVICES}
    launcher = _start(tmp_path, ports)
    try:
        nats_pid = int((tmp_path / "var" / "nats.pid").read_text())
        nats_url = (tmp_path / "var" / "nats.url").read_text()
        # The CLI's URL carries the admin user (the bus is fenced); never the system NATS port.
        assert nats_url.startswith("nats://admin:") and "@127.0.0.1:" in nats_url
        assert not nats_url.endswith(":4222")
        # The public's report page is where the banner says, with the form on it.
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['intake']}/", timeout=10) as page:
            assert page.status == 200 and "<form" in page.read().decode()
        _sign_in_as_demo_officer(tmp_path, ports["cases"])
        # Federation's pages send to cases' sign-in, on cases' own port (the pages are linked).
        import httpx

        away = httpx.get(f"http://127.0.0.1:{ports['federation']}/federation/applications")
        assert away.status_code == 303
        assert away.headers["location"].startswith(f"http://127.0.0.1:{ports['cases']}/signin")

        os.killpg(launcher.pid, signal.SIGINT)
        # make itself dies of the SIGINT, as in a terminal; what matters is what is left behind.
        launcher.wait(timeout=30)
        output = _log(tmp_path)
        assert "all services ready" in output and "eyJ" in output  # the banner with a token
        assert f"report page http://127.0.0.1:{ports['intake']}/" in output
        assert f"federation  http://127.0.0.1:{ports['federation']}/docs" in output
        assert f"unit ids: GET http://127.0.0.1:{ports['cases']}/api/v1/units" in output
        password = (tmp_path / "var" / "demo-password").read_text().strip()
        assert f"password {password}" in output and "demo-officer" in output
        assert not any(_listening(port) for port in ports.values())
        assert not Path(f"/proc/{nats_pid}").exists(), "nats-server outlived make run"
        assert not (tmp_path / "var" / "nats.pid").exists()
    finally:
        _kill_group(launcher)


def test_a_killed_launcher_leaves_no_orphans_and_starts_again(tmp_path: Path) -> None:
    ports = {name: free_port() for name in SERVICES}
    launcher = _start(tmp_path, ports)
    again = None
    try:
        os.kill(_launcher_pid(launcher.pid), signal.SIGKILL)
        deadline = time.monotonic() + 20
        while any(_listening(port) for port in ports.values()):
            assert time.monotonic() < deadline, "services outlived their killed launcher"
            time.sleep(0.2)
        launcher.wait(timeout=10)
        stale_nats = int((tmp_path / "var" / "nats.pid").read_text())
        again = _start(tmp_path, ports)  # stops the stale NATS, then starts afresh
        assert not Path(f"/proc/{stale_nats}").exists()
        os.killpg(again.pid, signal.SIGINT)
        again.wait(timeout=30)
        assert not any(_listening(port) for port in ports.values())
    finally:
        _kill_group(launcher)
        _kill_group(again)
