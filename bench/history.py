"""One line per `make bench` run in bench/results/history/<machine>.jsonl, and the comparison
with the previous run of the same phases on the same machine.

The history files are committed: a work tree is laid anew for each session, so an ignored file
would not be there to compare against. The machine is named by what decides the figures (cores,
CPU model, memory), not by its host name, which is the same on every machine here.
Read with: .venv/bin/python -m bench.history [--machine NAME]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HISTORY = Path(__file__).parent / "results" / "history"
ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """`2cpu-intel-xeon-processor-24g`: cores, CPU model and memory."""
    model = "unknown-cpu"
    memory_gb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1]
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024)
                break
    except OSError:
        pass
    slug = re.sub(r"\(r\)|\(tm\)|cpu|@.*", "", model.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return f"{os.cpu_count()}cpu-{slug}-{memory_gb}g"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    # The history itself is committed and changes with every run: not a change of what ran.
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results")
    return head + ("+dirty" if changed else "")


def _figure(value: float) -> float | None:
    """Rounded; None where the phase has no such figure (the idle phase's latencies)."""
    return None if math.isnan(value) else round(value, 1)


def line_of(result: dict[str, Any], phases: str) -> dict[str, Any]:
    """The key figures of a run: per phase accepted/s, p99s, CPU ms per report (services, the
    database, all in) and the load average the machine had meanwhile."""
    out: dict[str, Any] = {
        "commit": commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "phases": phases,
        "results": [],
    }
    for p in result["phases"]:
        cpu = p["cpu_ms_per_report"]
        services = {k: round(v, 2) for k, v in cpu.items() if k not in OTHERS}
        out["results"].append(
            {
                "rate": p["rate"],
                "accepted_per_s": round(p["accepted_per_s"], 1),
                "intake_p99_ms": _figure(p["intake_ms"][99]),
                "case_p99_ms": _figure(p["case_opened_ms"][99]),
                "services_cpu_ms": round(sum(services.values()), 2),
                "postgres_cpu_ms": round(cpu.get("postgres", 0.0), 2),
                "nats_cpu_ms": round(cpu.get("nats", 0.0), 2),
                "all_in_cpu_ms": round(sum(services.values()) + cpu.get("postgres", 0.0), 2),
                "per_service_cpu_ms": services,
                "transactions_per_report": round(p.get("transactions_per_report", 0.0), 2),
                "load_avg": [round(x, 2) for x in p.get("load_avg", [])] or None,
                "steady_rss_mb": {k: _figure(v) for k, v in p.get("steady_rss_mb", {}).items()}
                or None,
                "peak_rss_mb": {k: _figure(v) for k, v in p.get("peak_rss_mb", {}).items()} or None,
            }
        )
    if "replay" in result:
        out["replay_events_per_s"] = round(result["replay"]["events_per_s"])
    return out


OTHERS = ("postgres", "nats", "load generator")


def read(name: str) -> list[dict[str, Any]]:
    path = HISTORY / f"{name}.jsonl"
    if not path.exists():
        return []
    return [json.loads(text) for text in path.read_text().splitlines() if text.strip()]


def append(entry: dict[str, Any]) -> dict[str, Any] | None:
    """Add `entry` to its machine's history; returns the previous run of the same phases."""
    earlier = [
        e
        for e in read(entry["machine"])
        if e.get("phases") == entry["phases"] and e.get("profiled") == entry.get("profiled")
    ]
    HISTORY.mkdir(parents=True, exist_ok=True)
    with (HISTORY / f"{entry['machine']}.jsonl").open("a") as out:
        out.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
    return earlier[-1] if earlier else None


def summary(entry: dict[str, Any]) -> str:
    parts = [f"{entry['commit']} {entry['date']} {entry['machine']}"]
    for r in entry["results"]:
        load = r.get("load_avg")
        load_text = f" (load {load[0]:.1f}-{load[1]:.1f})" if load else ""
        if r["rate"] == "idle":
            parts.append(
                f"idle: CPU ms per second {r['services_cpu_ms']:.2f} + pg "
                f"{r['postgres_cpu_ms']:.2f} = {r['all_in_cpu_ms']:.2f}{load_text}"
            )
            continue
        parts.append(
            f"{r['rate']}/s: {r['accepted_per_s']:.0f} acc/s, intake p99 {r['intake_p99_ms']} ms, "
            f"→case p99 {r['case_p99_ms']} ms, CPU/report {r['services_cpu_ms']:.2f} + pg "
            f"{r['postgres_cpu_ms']:.2f} = {r['all_in_cpu_ms']:.2f} ms, "
            f"{r.get('transactions_per_report', 0):.1f} transactions/report{load_text}"
        )
    if "replay_events_per_s" in entry:
        parts.append(f"replay {entry['replay_events_per_s']:,}/s")
    return "\n  ".join(parts)


def comparison(entry: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """The run against the previous one of the same phases on this machine (CPU per report
    first: it depends least on what else the machine is doing)."""
    if previous is None:
        return "history: first run of these phases on this machine"
    lines = [f"against {previous['commit']} of {previous['date']}:"]
    for now, then in zip(entry["results"], previous["results"], strict=False):

        def delta(key: str, now: dict[str, Any] = now, then: dict[str, Any] = then) -> str:
            a, b = now[key], then[key]
            if a is None or b is None:
                return f"{b} → {a}"
            change = f"{(a - b) / b:+.0%}" if b else "n/a"
            return f"{b:g} → {a:g} ({change})"

        lines.append(
            f"  {now['rate']}/s: all-in CPU ms/report {delta('all_in_cpu_ms')}; services "
            f"{delta('services_cpu_ms')}; accepted/s {delta('accepted_per_s')}; →case p99 ms "
            f"{delta('case_p99_ms')}"
        )
    if "replay_events_per_s" in entry and "replay_events_per_s" in previous:
        lines.append(
            f"  replay events/s {previous['replay_events_per_s']:,} → "
            f"{entry['replay_events_per_s']:,}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.history")
    parser.add_argument("--machine", default=machine())
    args = parser.parse_args(argv)
    for entry in read(args.machine):
        print(f"[{entry['phases']}] " + summary(entry))


if __name__ == "__main__":
    main(sys.argv[1:])
