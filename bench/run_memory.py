"""`make run`'s memory at idle: RSS and PSS of every process in the launcher's tree.

Starts `zuofeng run` on free ports with a throwaway var directory (SQLite, the bundled NATS, as
`make run` starts them), waits for "all services ready", lets it settle, then reads VmRSS
(/proc/<pid>/status) and Pss (/proc/<pid>/smaps_rollup) of the launcher and every descendant,
and stops it with SIGINT as Ctrl-C would. RSS counts shared pages in each process (issue 27's
figure is a sum of RSS); PSS splits them; peak is VmHWM (the highest RSS since the start).
Run: .venv/bin/python bench/run_memory.py [--settle 30] [--env MALLOC_ARENA_MAX=2]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "cases", "notify", "reporting", "federation")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _field(path: Path, name: str) -> float:
    for line in path.read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _tree(pid: int) -> list[int]:
    out = [pid]
    for child in _children(pid):
        out += _tree(child)
    return out


def _name(pid: int) -> str:
    """The service a process serves, else its command line (shortened)."""
    words = (Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")).split("\0")
    if "serve" in words and words.index("serve") + 1 < len(words):
        return words[words.index("serve") + 1]
    line = " ".join(w for w in words if w)
    return line if len(line) < 60 else line[:57] + "..."


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--settle", type=float, default=30.0, help="seconds idle before reading")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the tree")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="zuofeng-runmem-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
    env |= {f"ZUOFENG_{s.upper()}_PORT": str(_free_port()) for s in SERVICES}
    env["ZUOFENG_VAR_DIR"] = str(var)
    env |= dict(item.split("=", 1) for item in args.env)
    log = var / "run.log"
    with open(log, "wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = time.monotonic()
    try:
        while "services ready" not in log.read_text(errors="replace"):
            if launcher.poll() is not None or time.monotonic() - started > 300:
                print(log.read_text(errors="replace")[-3000:])
                return 1
            time.sleep(0.5)
        ready = time.monotonic() - started
        time.sleep(args.settle)
        rows = []
        for pid in _tree(launcher.pid):
            proc = Path(f"/proc/{pid}")
            try:
                rss, pss = _field(proc / "status", "VmRSS"), _field(proc / "smaps_rollup", "Pss")
                hwm = _field(proc / "status", "VmHWM")
                rows.append((_name(pid) if pid != launcher.pid else "launcher", pid, rss, pss, hwm))
            except OSError:
                continue
        print(f"ready after {ready:.1f}s, read {args.settle:.0f}s later; load {os.getloadavg()}")
        print(f"{'process':<60} {'pid':>7} {'RSS MB':>8} {'PSS MB':>8} {'peak MB':>8}")
        for name, pid, rss, pss, hwm in rows:
            print(f"{name:<60} {pid:>7} {rss:>8.1f} {pss:>8.1f} {hwm:>8.1f}")
        total_rss, total_pss = sum(r[2] for r in rows), sum(r[3] for r in rows)
        print(f"{'tree (' + str(len(rows)) + ' processes)':<60} {'':>7} {total_rss:>8.1f} "
              f"{total_pss:>8.1f}")  # fmt: skip
    finally:
        os.killpg(launcher.pid, signal.SIGINT)
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
