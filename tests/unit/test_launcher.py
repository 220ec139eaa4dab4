"""The launcher's supervisor (what honcho did for `make run`): every service's output with its
name in front, all stopped when one stops, SIGKILL for one that ignores SIGTERM. The whole
`make run` (Ctrl-C, a killed launcher, the banner) is tests/e2e/test_make_run.py."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from services import launcher
from services.launcher import Output, Supervisor

# A service that prints a line and then waits to be stopped; one that ignores SIGTERM.
WAITS = "import time; print('up', flush=True); time.sleep(60)"
DEAF = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " print('up', flush=True); time.sleep(60)"
)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_one_service_stopping_stops_the_others_with_its_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    supervisor = Supervisor(Output())
    supervisor.start("intake", dict(os.environ), _python(WAITS))
    supervisor.start("cases", dict(os.environ), _python("print('bye'); raise SystemExit(3)"))

    assert supervisor.loop() == 3
    waiting = supervisor.children["intake"]
    assert waiting.returncode == -signal.SIGTERM  # stopped by the launcher, not left running
    out = capsys.readouterr().out
    assert "| bye" in out and "cases      | bye" in out  # the name in front, honcho's way
    assert "cases stopped (rc=3)" in out and "sending SIGTERM to intake" in out


def test_a_service_that_ignores_sigterm_is_killed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(launcher, "KILL_WAIT", 0.5)
    supervisor = Supervisor(Output())
    supervisor.start("notify", dict(os.environ), _python(DEAF))
    supervisor.start("reporting", dict(os.environ), _python("raise SystemExit(0)"))
    deaf = supervisor.children["notify"]
    for _ in range(600):  # SIG_IGN is in place once it printed
        if "up" in capsys.readouterr().out:
            break
        time.sleep(0.05)

    assert supervisor.loop() == 0
    assert deaf.returncode == -signal.SIGKILL
    assert not _alive(deaf.pid)


def test_sigterm_to_the_launcher_stops_every_service_and_counts_as_a_clean_stop() -> None:
    supervisor = Supervisor(Output())
    supervisor.start("intake", dict(os.environ), _python(WAITS))
    supervisor.start("federation", dict(os.environ), _python(WAITS))
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGALRM)
    try:
        signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGTERM))
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        code = supervisor.loop()
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGALRM, previous[1])
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert code == 143  # launch() turns 130/143 into 0: a user's stop, not an error
    assert all(child.returncode is not None for child in supervisor.children.values())
