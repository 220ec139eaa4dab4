"""`make run`: the bundled NATS, then the five services, each in a process of its own.

The streams, migrations, demo accounts and banner are prepared by a short-lived child
(services.launch_setup), so this process holds little more than the interpreter for as long as
`make run` runs (issue 27: the whole tree under 600 MB). It supervises the services itself,
one thread per service relaying its output with the service's name in front, as honcho did,
without honcho's watcher process per service, fork server and resource tracker (about 90 MB).

Ctrl-C (or SIGTERM) stops the services (SIGTERM, SIGKILL after 5 s) and then NATS (SIGTERM, so
its store is flushed); a service that stops on its own stops the others. A launcher killed with
-9 leaves no service behind (each watches ZUOFENG_LAUNCHER_PID) and a NATS that the next start
stops (var/nats.pid). Only the standard library and shared.natsserver are imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shared.natsserver import NatsProcess, start_with_config

KILL_WAIT = 5.0  # seconds between SIGTERM and SIGKILL for a service that does not stop
SIGNALS = {signal.SIGINT: ("SIGINT", 130), signal.SIGTERM: ("SIGTERM", 143)}
COLOURS = ("36", "33", "32", "35", "31", "34")  # one per service when the output is a terminal
WIDTH = len("federation")


class Output:
    """Lines of every service on stdout, one at a time, "HH:MM:SS name | line" (honcho's)."""

    def __init__(self) -> None:
        # Re-entrant: the signal handler prints from the main thread, which may hold it already.
        self.lock = threading.RLock()
        self.colour = sys.stdout.isatty()

    def line(self, name: str, text: str, colour: str = "") -> None:
        prefix = f"{time.strftime('%H:%M:%S')} {name:<{WIDTH}} | "
        if colour and self.colour:
            prefix = f"\033[0m\033[{colour}m{prefix}\033[0m"
        with self.lock:
            print(prefix + text, flush=True)

    def block(self, text: str) -> None:
        with self.lock:
            print(text, flush=True)


def _setup(held: dict[str, Any]) -> dict[str, Any]:
    """services.launch_setup in a child; this process starts NATS when it asks."""
    read_fd, write_fd = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-m", "services.launch_setup", str(write_fd)],
        stdin=subprocess.PIPE,
        pass_fds=(write_fd,),
        text=True,
    )
    os.close(write_fd)
    assert child.stdin is not None
    with os.fdopen(read_fd) as answers:
        first = answers.readline()
        if first:
            asked = json.loads(first)
            held["var"] = Path(asked["var"])
            if asked["nats"] is not None:
                nats = asked["nats"]
                server = start_with_config(Path(nats["base"]), nats["config"], nats["port"])
                (held["var"] / "nats.pid").write_text(str(server.pid))
                held["server"] = server
                child.stdin.write(json.dumps({"url": server.url}) + "\n")
                child.stdin.flush()
        result = answers.readline()
    child.stdin.close()
    code = child.wait()
    if code != 0 or not result:
        raise SystemExit(code or 1)  # the child said why on stderr
    prepared: dict[str, Any] = json.loads(result)
    return prepared


def _relay(name: str, child: subprocess.Popen[bytes], output: Output, colour: str) -> None:
    assert child.stdout is not None
    for raw in iter(child.stdout.readline, b""):
        output.line(name, raw.decode("utf-8", "replace").rstrip("\r\n"), colour)
    child.stdout.close()


def _ready(port: int) -> bool:
    """/readyz answers 200 (a raw request: urllib would add 8 MB to this process)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(32).startswith((b"HTTP/1.0 200", b"HTTP/1.1 200"))
    except OSError:
        return False


def _wait_ready(ports: dict[str, int], started: float, banner: str, output: Output) -> None:
    pending = dict(ports)
    while pending and time.monotonic() - started < 300:
        for service, port in list(pending.items()):
            if _ready(port):
                del pending[service]
        time.sleep(0.3)
    state = "all services ready" if not pending else f"NOT ready: {', '.join(pending)}"
    output.block(f"\n{banner}\n  {state} after {time.monotonic() - started:.1f}s\n")


class Supervisor:
    """The services as children: output relayed, all stopped when one stops or on a signal."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopped: queue.Queue[tuple[str, int]] = queue.Queue()
        self.returncode: int | None = None
        self.stopping_since: float | None = None

    def start(self, name: str, env: dict[str, str], command: list[str] | None = None) -> None:
        """`zuofeng serve <name>` (or `command`) as a child in a session of its own."""
        child = subprocess.Popen(
            command or [sys.executable, "-m", "services.cli", "serve", name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops the services
        )
        self.children[name] = child
        self.output.line("system", f"{name} started (pid={child.pid})")
        colour = COLOURS[(len(self.children) - 1) % len(COLOURS)]

        def relay() -> None:
            _relay(name, child, self.output, colour)
            self.stopped.put((name, child.wait()))

        threading.Thread(target=relay, name=f"relay-{name}", daemon=True).start()

    def _signal(self, signum: int, _frame: object) -> None:
        name, code = SIGNALS[signal.Signals(signum)]
        self.output.line("system", f"{name} received")
        if self.returncode is None:
            self.returncode = code
        self.stop()

    def _send(self, names: Iterable[str], signum: signal.Signals) -> None:
        for name in names:
            child = self.children[name]
            if child.returncode is None:
                self.output.line("system", f"sending {signum.name} to {name} (pid {child.pid})")
                with contextlib.suppress(ProcessLookupError):  # ended meanwhile: relay reports it
                    os.kill(child.pid, signum)

    def stop(self) -> None:
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
            self._send(list(self.children), signal.SIGTERM)

    def loop(self) -> int:
        """Until every service has stopped; the first signal's or stopped service's code."""
        for signum in SIGNALS:
            signal.signal(signum, self._signal)
        running = set(self.children)
        killed = False
        while running:
            try:
                name, code = self.stopped.get(timeout=0.1)
            except queue.Empty:
                pass
            else:
                running.discard(name)
                self.output.line("system", f"{name} stopped (rc={code})")
                if self.returncode is None:
                    self.returncode = code
                self.stop()
            since = self.stopping_since
            if not killed and since is not None and time.monotonic() - since > KILL_WAIT:
                killed = True
                self._send(running, signal.SIGKILL)
        return self.returncode or 0


def launch() -> int:
    started = time.monotonic()
    output = Output()
    held: dict[str, Any] = {}
    # Until the services run, SIGTERM stops like Ctrl-C does: NATS is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        prepared = _setup(held)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "ZUOFENG_LAUNCHER_PID": str(os.getpid())}
        env.setdefault("ZUOFENG_PAGE_ORIGINS", prepared["page_origins"])
        supervisor = Supervisor(output)
        for service, own in prepared["env"].items():
            supervisor.start(service, {**env, **own})
        ports = {name: int(port) for name, port in prepared["ports"].items()}
        threading.Thread(
            target=_wait_ready, args=(ports, started, prepared["banner"], output), daemon=True
        ).start()
        code = supervisor.loop()
        # Ctrl-C or SIGTERM is how a user stops it: a clean stop, not an error.
        return 0 if code in (130, 143) else code
    except KeyboardInterrupt:
        return 0
    finally:
        server: NatsProcess | None = held.get("server")
        if server is not None:
            server.stop()
            var: Path = held["var"]
            (var / "nats.pid").unlink(missing_ok=True)
            (var / "nats.url").unlink(missing_ok=True)
