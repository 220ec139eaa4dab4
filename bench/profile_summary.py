"""Where a service's samples went, from py-spy's collapsed stacks (`make bench ARGS='--profile
DIR'` writes DIR/<service>-<rate>.txt): the share of busy samples under each module (inclusive)
and each function's own share, idle (the event loop's wait) left out.
Run: .venv/bin/python -m bench.profile_summary DIR [--top 25]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

# The event loop waiting for work: not CPU.
IDLE = ("select (selectors.py", "_run_once (asyncio/base_events.py", "poll (selectors.py")
FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:]*)(?::\d+)?\)$")


def area(path: str) -> str:
    """A frame's file reduced to what it belongs to: our package path or the library's name."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    for root in ("services/", "shared/", "bench/"):
        if root in path:
            rest = path.split(root, 1)[1].split("/")
            return root + "/".join(rest[:2]).removesuffix(".py")
    if "/python3" in path or path.startswith("<"):
        return "stdlib:" + Path(path).stem
    return path


# What a sample was doing, by the first of these found on its stack (outermost activity).
ACTIVITIES = (
    ("outbox relay", ("OutboxRelay.",)),
    ("consumers", ("PullLoop.", "durable_handler.")),
    ("HTTP requests", ("RequestResponseCycle.", "H11Protocol.", "HttpToolsProtocol.")),
    ("intake's report writer", ("ReportWriter.",)),
    ("notify's delivery worker", ("DeliveryWorker.",)),
    ("bus metrics", ("bus_metrics_forever",)),
    ("nats-py's flusher", ("Client._flusher",)),
    # SQLAlchemy runs its sync half in a greenlet: py-spy shows that stack without its caller.
    ("SQL in SQLAlchemy's greenlet (caller not on the stack)", (
        "Session.execute (", "Session.scalar (", "TransactionalContext.", "Connection.execute (",
        "greenlet_spawn", "AsyncAdapt_asyncpg",
    )),
)  # fmt: skip
# The layer a sample's innermost frame is in.
LAYERS = (
    ("asyncpg", ("asyncpg",)),
    ("SQLAlchemy", ("sqlalchemy",)),
    ("pydantic", ("pydantic",)),
    ("nats-py", ("nats",)),
    ("ASGI (uvicorn, starlette, fastapi)", ("uvicorn", "starlette", "fastapi")),
    ("services/", ("services/",)),
    ("shared/", ("shared/",)),
)


def breakdown(path: Path) -> tuple[int, dict[str, int], dict[str, int]]:
    """(samples, samples by activity, samples by layer), the event loop's own frame left out
    (py-spy counts a runnable process waiting for a core as busy: on a shared machine that
    frame is mostly waiting)."""
    total, activities, layers = 0, Counter[str](), Counter[str]()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames or any(frames[-1].startswith(i) for i in IDLE):
            continue
        if frames[-1].startswith("Runner.run ("):
            continue
        n = int(count)
        total += n
        activity = next(
            (name for name, marks in ACTIVITIES if any(m in f for f in frames for m in marks)),
            "other background work",
        )
        activities[activity] += n
        match = FRAME.match(frames[-1])
        where = area(match["file"]) if match else frames[-1]
        layer = next(
            (name for name, marks in LAYERS if any(where.startswith(m) for m in marks)),
            "stdlib and other libraries",
        )
        layers[layer] += n
    return total, activities, layers


def summarise(path: Path, top: int) -> str:
    busy, own, inclusive, areas = 0, Counter[str](), Counter[str](), Counter[str]()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f.startswith("thread ")]
        if not frames or any(frames[-1].startswith(i) for i in IDLE):
            continue
        n = int(count)
        busy += n
        own[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
        match = FRAME.match(frames[-1])
        areas[area(match["file"]) if match else frames[-1]] += n
    if not busy:
        return f"{path.stem}: no busy samples"
    lines = [f"{path.stem}: {busy} busy samples"]
    total, activities, layers = breakdown(path)
    if total:
        lines.append("  by activity (event loop's own frame left out): " + ", ".join(
            f"{name} {n / total:.0%}" for name, n in activities.most_common()
        ))  # fmt: skip
        lines.append("  by layer: " + ", ".join(
            f"{name} {n / total:.0%}" for name, n in layers.most_common()
        ))  # fmt: skip
    lines.append("  own time by area: " + ", ".join(
        f"{name} {n / busy:.0%}" for name, n in areas.most_common(12)
    ))  # fmt: skip
    lines.append("  inclusive:")
    for frame, n in inclusive.most_common(top):
        lines.append(f"    {n / busy:5.1%} {frame}")
    lines.append("  own:")
    for frame, n in own.most_common(top // 2):
        lines.append(f"    {n / busy:5.1%} {frame}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.profile_summary")
    parser.add_argument("dir", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    for path in sorted(args.dir.glob("*.txt")):
        print(summarise(path, args.top))


if __name__ == "__main__":
    main(sys.argv[1:])
