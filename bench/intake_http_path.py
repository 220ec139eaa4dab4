"""Intake's HTTP path alone: CPU per `POST /api/v1/reports` through the real app's whole ASGI
stack (middlewares, routing, dependencies, validation, sealing, the answer), in process, with
the report writer stubbed (no database, no bus) and no HTTP server or socket.

    .venv/bin/python bench/intake_http_path.py                 # µs of CPU per request
    .venv/bin/python bench/intake_http_path.py --stub-submit   # the framework's part alone
    .venv/bin/py-spy record -r 200 -f raw -o /tmp/path.txt -- \\
        .venv/bin/python bench/intake_http_path.py --runs 1 -n 12000   # where it goes

CPU time of this process (`time.process_time`) per request; the minimum and median of several
runs, since on a shared machine other work slows every run a little and some a lot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.intake_load import body  # noqa: E402

PATH = "/api/v1/reports"


def environment(base: Path) -> None:
    os.environ.update(
        {
            "ZUOFENG_INTAKE_DATABASE_URL": f"sqlite+aiosqlite:///{base}/intake.db",
            "ZUOFENG_VAR_DIR": str(base / "var"),
            "ZUOFENG_JWT_SECRET": "bench-jwt-secret-long-enough-for-hs256-keys",
            "ZUOFENG_LOG_LEVEL": "WARNING",
            "ZUOFENG_INTAKE_PUBLIC_SUBMIT_RATE": "0",
            "ZUOFENG_INTAKE_LOOKUP_RATE": "0",
            "ZUOFENG_NATS_URL": "nats://127.0.0.1:1",  # never connected: no lifespan here
        }
    )


def intake_app(stub_submit: bool) -> Any:
    from services.intake.main import create_app
    from services.intake.routes import reports
    from services.intake.schemas.answers import ReportAccepted
    from services.intake.writer.plan import Draft, Stored

    app = create_app()

    async def store(draft: Draft) -> Stored:
        return Stored(draft.report_id, created=True)

    app.state.context.writer.store = store
    if stub_submit:

        async def submit(*_: object, **__: object) -> ReportAccepted:
            return ReportAccepted(report_id=str(random.getrandbits(64)), tracking_code="A" * 16)

        reports.submit = submit  # type: ignore[assignment]
    return app


async def post(app: Any, payload: bytes, statuses: list[int]) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"user-agent", b"bench"),
        ],
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:  # a second read would be waiting for the client's disconnect
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)


async def measure(args: argparse.Namespace) -> None:
    app = intake_app(args.stub_submit)
    random.seed(1)
    payloads = [json.dumps(body(i, args.named), ensure_ascii=False).encode() for i in range(args.n)]
    statuses: list[int] = []
    for payload in payloads[:300]:  # warm caches (pydantic, routing, prometheus children)
        await post(app, payload, statuses)
    runs = []
    for _ in range(args.runs):
        began = time.process_time()
        for payload in payloads:
            await post(app, payload, statuses)
        runs.append((time.process_time() - began) / args.n * 1e6)
    if set(statuses) != {202}:
        raise SystemExit(f"answers other than 202: {sorted(set(statuses))}")
    runs.sort()
    what = "framework only (submit stubbed)" if args.stub_submit else "whole route (writer stubbed)"
    print(
        f"POST {PATH}, {what}, {args.named:.0%} named: CPU per request min {runs[0]:.0f} µs, "
        f"median {runs[len(runs) // 2]:.0f} µs over {args.runs} runs of {args.n} "
        f"(load {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="requests per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--named", type=float, default=0.5, help="share of named (sealed) reports")
    parser.add_argument("--stub-submit", action="store_true", help="the route's work stubbed too")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="zuofeng-http-path-"))
    environment(base)
    import logging

    logging.disable(logging.WARNING)
    import uvloop

    uvloop.run(measure(args))


if __name__ == "__main__":
    main()
