"""Deliveries per second through notify, end to end on real services.

    .venv/bin/python bench/notify_deliveries.py                      # SQLite, 1000 events
    .venv/bin/python bench/notify_deliveries.py --db postgresql --events 2000
    .venv/bin/python bench/notify_deliveries.py --channels webhook   # or email, or both

Case events are published to a bundled nats-server; notify (create_app, its consumers and its
delivery worker, default settings apart from the channels) turns each `case.opened` into an
inbox notice, a mail to the handling unit through SMTP, and a signed webhook. The SMTP sink
(aiosmtpd) and the webhook receiver run in a child process, so they do not share notify's CPU
time slice. The figure is outside deliveries (mail + webhooks) recorded as delivered in notify's
database per second, from the first publish to the last delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import nats
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.notify.main import create_app  # noqa: E402
from services.notify.models import deliveries  # noqa: E402
from services.notify.samples import sample_payload  # noqa: E402
from services.notify.settings import NotifySettings  # noqa: E402
from shared import migrate  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.bus import init_bus, publish_envelope  # noqa: E402
from shared.events import make_event  # noqa: E402
from shared.natsserver import start_nats  # noqa: E402

SECRET = "bench-jwt-secret-long-enough-for-hs256-keys"
CONTACTS = 'default:\n  email: ["{unit}@bench.test"]\n'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _http_sink(port: int) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length")),
                    0,
                )  # fmt: skip
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()

    server = await asyncio.start_server(answer, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def serve_sinks(smtp_port: int, http_port: int) -> None:
    """The child process: an SMTP sink that accepts everything and a webhook receiver."""
    from aiosmtpd.controller import Controller

    class Accept:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            return "250 OK"

    controller = Controller(Accept(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        asyncio.run(_http_sink(http_port))
    finally:
        controller.stop()


async def _wait_port(port: int) -> None:
    for _ in range(200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


async def _database(kind: str, tmp: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / 'notify.db'}", None
    import asyncpg

    name = f"bench_notify_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def _drop(name: str | None) -> None:
    if name is None:
        return
    import asyncpg

    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def _subscribe(app: object, url: str) -> None:
    token = issue_token(
        SECRET, unit="city-fpb", role="integrator", sub="bench", ttl=timedelta(hours=1)
    )
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://notify") as http:
        answer = await http.post(
            "/api/v1/webhooks",
            json={"url": url, "event_types": ["case.opened"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()


async def _delivered(app: object) -> int:
    async with app.state.context.db.sessions() as session:  # type: ignore[attr-defined]
        query = select(func.count()).where(
            deliveries.c.status == "delivered", deliveries.c.channel.in_(("email", "webhook"))
        )
        return int(await session.scalar(query) or 0)


async def run(
    events: int, db_kind: str, channels: str, smtp_port: int, http_port: int
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        nats_server = start_nats(tmp / "nats")
        database_url, pg_name = await _database(db_kind, tmp)
        try:
            await _wait_port(smtp_port)
            await _wait_port(http_port)
            return await _measure(
                events, channels, nats_server.url, database_url, tmp, smtp_port, http_port
            )
        finally:
            nats_server.stop()
            await _drop(pg_name)


async def _measure(
    events: int,
    channels: str,
    nats_url: str,
    database_url: str,
    tmp: Path,
    smtp_port: int,
    http_port: int,
) -> dict[str, float]:
    settings = _settings(channels, nats_url, database_url, tmp, smtp_port)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await init_bus(js, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)
    await asyncio.to_thread(migrate.upgrade, "notify", database_url)
    app = create_app(settings)
    worker = app.state.runtime.background.pop()  # started by hand, after the backlog is in
    per_event = (channels in ("email", "both")) + (channels in ("webhook", "both"))
    expected = events * per_event
    async with app.router.lifespan_context(app):
        if channels in ("webhook", "both"):
            await _subscribe(app, f"http://127.0.0.1:{http_port}/hook")
        started = time.perf_counter()
        await _publish(js, events)
        published = time.perf_counter() - started
        await _until(lambda: _queued(app), expected, started)
        queued = time.perf_counter() - started
        drain = asyncio.create_task(worker())
        await _until(lambda: _delivered(app), expected, started)
        elapsed = time.perf_counter() - started
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
    await nc.close()
    return {
        "events": events,
        "deliveries": expected,
        "publish_s": published,
        "fanout_s": queued,
        "drain_s": elapsed - queued,
        "events_per_s": events / queued,
        "deliveries_per_s": expected / (elapsed - queued),
    }


def _settings(
    channels: str, nats_url: str, database_url: str, tmp: Path, smtp_port: int
) -> NotifySettings:
    (tmp / "contacts.yaml").write_text(CONTACTS)
    return NotifySettings(
        nats_url=nats_url,
        database_url=database_url,
        var_dir=tmp,
        jwt_secret=SECRET,
        contacts_file=tmp / "contacts.yaml",
        smtp_host="127.0.0.1" if channels in ("email", "both") else None,
        smtp_port=smtp_port,
        smtp_security="none",
    )


async def _publish(js: object, events: int) -> None:
    for _ in range(events):
        case_id = str(uuid.uuid4())
        payload = sample_payload("case.opened", case_id=case_id)
        event = make_event(
            payload, county="371402", aggregate_id=case_id, sequence=1, producer="bench"
        )
        await publish_envelope(js, event)  # type: ignore[arg-type]


async def _until(count: object, expected: int, started: float) -> None:
    while (done := await count()) < expected:  # type: ignore[operator]
        if time.perf_counter() - started > 900:
            raise RuntimeError(f"only {done}/{expected} after 900 s")
        await asyncio.sleep(0.1)


async def _queued(app: object) -> int:
    async with app.state.context.db.sessions() as session:  # type: ignore[attr-defined]
        query = select(func.count()).where(deliveries.c.channel.in_(("email", "webhook")))
        return int(await session.scalar(query) or 0)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-sinks":
        serve_sinks(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--channels", choices=("email", "webhook", "both"), default="both")
    args = parser.parse_args()
    smtp_port, http_port = free_port(), free_port()
    sinks = subprocess.Popen(
        [sys.executable, __file__, "--serve-sinks", str(smtp_port), str(http_port)]
    )
    try:
        figures = asyncio.run(run(args.events, args.db, args.channels, smtp_port, http_port))
    finally:
        sinks.terminate()
        sinks.wait()
    print(
        f"notify {args.channels} on {args.db}, {figures['events']:.0f} case.opened events:"
        f" consumed and fanned out in {figures['fanout_s']:.2f} s"
        f" ({figures['events_per_s']:.0f} events/s, publishing included);"
        f" {figures['deliveries']:.0f} outside deliveries sent in {figures['drain_s']:.2f} s"
        f" ({figures['deliveries_per_s']:.0f} deliveries/s)"
    )


if __name__ == "__main__":
    main()
