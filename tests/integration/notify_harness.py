"""What notify's integration tests stand on: a real SMTP server (aiosmtpd), a real HTTP
receiver for webhooks (uvicorn), the notify app running its lifespan on a NATS server of its
own, and case events as cases publishes them."""

from __future__ import annotations

import asyncio
import contextlib
import email
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response
from nats.js import JetStreamContext
from sqlalchemy import func, select

from services.notify.main import create_app
from services.notify.models import deliveries
from services.notify.samples import sample_payload
from services.notify.settings import NotifySettings
from shared import migrate, sealing
from shared.bus import init_bus, publish_envelope
from shared.db import OUTBOX
from shared.events import Envelope, make_event, parse_envelope
from shared.natsserver import start_nats
from tests.factories import report_received
from tests.pg import free_port

SECRET = "notify-tests-jwt-secret-long-enough-for-hs256"
CONTACTS = """
default:
  email: ["{unit}@units.test"]
units:
  371402-lg:
    email: [lg-371402@units.test]
    digest: daily
  371402-fpb:
    email: [fpb-371402@units.test]
    sms: ["13900000000"]
"""


@dataclass
class Mail:
    rcpt: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"])))

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode("utf-8")


@dataclass
class SmtpSink:
    """A real SMTP server; addresses in `refuse` get a permanent 550 at RCPT."""

    port: int
    mails: list[Mail] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    # Address -> seconds its next mail's DATA waits: lets a later send to it overtake that one.
    hold: dict[str, float] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address in self.refuse:
            # Postfix-style: the refusal names the address, so it must never be stored as is.
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        for address in envelope.rcpt_tos:
            if address in self.hold:
                await asyncio.sleep(self.hold.pop(address))
        message = email.message_from_bytes(envelope.content)
        self.mails.append(Mail(list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.rcpt]


@contextlib.contextmanager
def smtp_sink() -> Any:
    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A real HTTP listener that checks signatures and answers from a script (then 200)."""

    url: str
    secret: str = ""
    script: list[int] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)


def _receiver_app(receiver: Receiver) -> FastAPI:
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        body = await request.body()
        given = request.headers.get("x-zuofeng-signature")
        stamp = request.headers.get("x-zuofeng-timestamp")
        valid = None
        if given is not None:
            # As a receiver would, from the contract (not notify's own sign()): HMAC-SHA256 of
            # "timestamp.body" over the raw bytes received.
            mac = hmac.new(receiver.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
            valid = hmac.compare_digest(given, f"sha256={mac.hexdigest()}")
        status = receiver.script.pop(0) if receiver.script else 200
        receiver.calls.append(
            {
                "delivery": request.headers.get("x-zuofeng-delivery"),
                "valid": valid,
                "timestamp": stamp,
                "signature": given,
                "body": body,
                "status": status,
            }
        )
        return Response(status_code=status)

    return app


@contextlib.asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hook")
    config = uvicorn.Config(_receiver_app(receiver), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # it failed to start: say why
        await asyncio.sleep(0.02)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task


def notify_settings(
    nats_url: str, database_url: str, var: Path, smtp_port: int, **overrides: Any
) -> NotifySettings:
    var.mkdir(parents=True, exist_ok=True)
    (var / "contacts.yaml").write_text(CONTACTS, encoding="utf-8")
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "var_dir": var,
        "jwt_secret": SECRET,
        "retry_delays": (0.1, 0.2, 0.3),
        "ack_wait": 5.0,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_security": "none",
        "contacts_file": var / "contacts.yaml",
        "delivery_retry_base": 0.05,
        "delivery_retry_cap": 0.2,
        "delivery_poll_interval": 0.05,
        "delivery_max_attempts": 4,
        "webhook_suspend_after": 2,
        "outbox_poll_interval": 0.2,
        # The receivers listen on 127.0.0.1: allowed explicitly (denied by default everywhere).
        "webhook_internal_targets": True,
    }
    values.update(overrides)
    return NotifySettings(**values)


@contextlib.asynccontextmanager
async def running_notify(
    settings: NotifySettings, js: JetStreamContext, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The notify app with its lifespan (consumers, worker, relay) and an HTTP client to it."""
    await init_bus(js, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)
    assert settings.database_url is not None
    await asyncio.to_thread(migrate.upgrade, "notify", settings.database_url)
    app = create_app(settings)
    if clock is not None:
        app.state.context.clock = clock
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as http:
            yield app, http


def shifted_clock(offset: timedelta) -> Callable[[], datetime]:
    """Real time moved by a fixed offset (still advancing, so backoff works)."""
    return lambda: datetime.now(UTC) + offset


def sealed_report(keys_dir: Path, **identity: str) -> Envelope:
    """A named report whose contact is sealed as intake seals it."""
    holders = {h: sealing.public_key(keys_dir, h) for h in sealing.HOLDERS}
    report_id = str(uuid.uuid4())
    sealed = sealing.seal_identity(identity, holders, report_id=report_id)
    return report_received("371402", report_id=report_id, anonymous=False, identity=sealed)


def case_event(
    event_type: str, case_id: str, report_id: str | None, sequence: int, **data: Any
) -> Envelope:
    """A case event as cases publishes it (under the handling county, 371402 here)."""
    payload = sample_payload(event_type, case_id=case_id, report_id=report_id, **data)
    return make_event(
        payload, county="371402", aggregate_id=case_id, sequence=sequence, producer="cases"
    )


def new_case_id() -> str:
    return str(uuid.uuid4())


async def publish(js: JetStreamContext, *events: Envelope) -> None:
    for event in events:
        await publish_envelope(js, event)


def token_header(unit: str, role: str) -> dict[str, str]:
    from shared.auth import issue_token

    token = issue_token(SECRET, unit=unit, role=role, sub="tests", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def bus(tmp_path: Path) -> AsyncIterator[tuple[str, JetStreamContext]]:
    """A NATS server of this test's own: notify's durable consumers are fixed names."""
    server = start_nats(tmp_path / "nats")
    nc = await nats.connect(server.url)
    yield server.url, nc.jetstream()
    await nc.close()
    server.stop()


async def settled(app: FastAPI, js: JetStreamContext) -> bool:
    """Every event consumed, nothing waiting to be sent (digests aside), every event published."""
    async with asyncio.timeout(10):  # a stuck check fails the test instead of hanging it
        return await _settled(app, js)


async def _settled(app: FastAPI, js: JetStreamContext) -> bool:
    for stream, durable in (
        ("INTAKE", "notify-reports"),
        ("CASES", "notify-cases"),
        ("REPORTING", "notify-alerts"),
        ("FEDERATION", "notify-federation"),
    ):
        info = await js.consumer_info(stream, durable)
        if info.num_pending or info.num_ack_pending:
            return False
    async with app.state.context.db.sessions() as session:
        waiting = await session.scalar(select(func.count()).where(deliveries.c.status == "pending"))
        unpublished = await session.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))
        )
    return waiting == 0 and unpublished == 0


async def notifications(js: JetStreamContext) -> list[Envelope]:
    sub = await js.pull_subscribe("zuofeng.v1.*.notification.>", stream="NOTIFY")
    found: list[Envelope] = []
    try:
        pending = (await sub.consumer_info()).num_pending or 0
        while len(found) < pending:
            for msg in await sub.fetch(min(100, pending - len(found)), timeout=2):
                found.append(parse_envelope(msg.data))
                await msg.ack()
    finally:
        await sub.unsubscribe()
    return found
