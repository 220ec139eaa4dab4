"""The fenced bus on a real nats-server: each user may publish and read only its own subjects,
and a county's integrator can neither create a consumer on, nor read, another county's events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig
from nats.js.errors import Error as JsError

from shared import apikeys, dlq, migrate
from shared.bus import init_bus
from shared.natsauth import (
    authorization_block,
    inbox_prefix,
    load_or_create_passwords,
    user_names,
    with_credentials,
)
from shared.natsserver import NatsProcess, start_nats
from shared.streams import CONSUMERS
from tests.integration.busutil import eventually

pytestmark = pytest.mark.integration
COUNTIES = ["371402", "371403"]
REFUSED = (NatsTimeout, asyncio.TimeoutError, JsError)


@pytest.fixture
def fenced(tmp_path: Path) -> Iterator[tuple[NatsProcess, dict[str, str]]]:
    passwords = load_or_create_passwords(tmp_path / "users.json", user_names(COUNTIES))
    server = start_nats(tmp_path / "nats", authorization=authorization_block(passwords, COUNTIES))
    yield server, passwords
    server.stop()


@pytest.fixture
async def login(
    fenced: tuple[NatsProcess, dict[str, str]],
) -> AsyncIterator[Callable[[str], Awaitable[Client]]]:
    server, passwords = fenced
    clients: list[Client] = []

    async def connect(user: str) -> Client:
        violations: list[str] = []

        async def on_error(exc: Exception) -> None:
            violations.append(str(exc))

        client = await nats.connect(
            server.url,
            user=user,
            password=passwords[user],
            error_cb=on_error,
            inbox_prefix=inbox_prefix(user),  # the only inbox the user may subscribe to
        )
        client.violations = violations  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield connect
    for client in clients:
        await client.close()


async def _case_events(login: Callable[[str], Awaitable[Client]]) -> None:
    admin = await login("admin")
    await init_bus(admin.jetstream(), max_deliver=3, ack_wait=5)
    cases = (await login("cases")).jetstream()
    for county in COUNTIES:
        await cases.publish(
            f"zuofeng.v1.{county}.case.opened", f'{{"county": "{county}"}}'.encode()
        )


async def test_a_county_integrator_reads_only_its_own_county(
    login: Callable[[str], Awaitable[Client]],
) -> None:
    await _case_events(login)
    js = (await login("integrator-371402")).jetstream(timeout=2)
    own = ConsumerConfig(
        name="integ-371402", durable_name="integ-371402", filter_subject="zuofeng.v1.371402.case.>"
    )
    await js.add_consumer("CASES", own)
    sub = await js.pull_subscribe_bind("integ-371402", "CASES")
    got = await sub.fetch(10, timeout=2)
    assert [m.subject for m in got] == ["zuofeng.v1.371402.case.opened"]


@pytest.mark.parametrize(
    ("name", "filter_subject"),
    [
        ("integ-371402", "zuofeng.v1.371403.case.>"),  # its own name, another county's events
        ("integ-371403", "zuofeng.v1.371403.case.>"),  # another county's consumer
        ("anything", "zuofeng.v1.*.case.>"),  # every county
        ("integ-371402", "zuofeng.v1.*.case.>"),
    ],
)
async def test_it_cannot_create_a_consumer_on_another_county(
    login: Callable[[str], Awaitable[Client]], name: str, filter_subject: str
) -> None:
    await _case_events(login)
    js = (await login("integrator-371402")).jetstream(timeout=1)
    with pytest.raises(REFUSED):
        await js.add_consumer(
            "CASES", ConsumerConfig(name=name, durable_name=name, filter_subject=filter_subject)
        )


async def test_a_county_integrator_reads_its_own_countys_alerts_only(
    login: Callable[[str], Awaitable[Client]],
) -> None:
    """Accountability alerts are a feed like case events: its own consumer on REPORTING,
    filtered on its county; another county's alerts stay out of reach."""
    await _case_events(login)
    reporting = (await login("reporting")).jetstream()
    for county in COUNTIES:
        await reporting.publish(f"zuofeng.v1.{county}.alert.frequent_problems", b"{}")
    js = (await login("integrator-371402")).jetstream(timeout=2)
    own = ConsumerConfig(
        name="integ-371402", durable_name="integ-371402", filter_subject="zuofeng.v1.371402.alert.>"
    )
    await js.add_consumer("REPORTING", own)
    sub = await js.pull_subscribe_bind("integ-371402", "REPORTING")
    got = await sub.fetch(10, timeout=2)
    assert [m.subject for m in got] == ["zuofeng.v1.371402.alert.frequent_problems"]
    await got[0].ack()
    other = ConsumerConfig(
        name="integ-371402", durable_name="integ-371402", filter_subject="zuofeng.v1.371403.alert.>"
    )
    with pytest.raises(REFUSED):
        await (
            (await login("integrator-371402")).jetstream(timeout=1).add_consumer("REPORTING", other)
        )
    with pytest.raises(REFUSED):
        sub = await js.pull_subscribe_bind("reporting-cases", "CASES")
        await sub.fetch(1, timeout=1)


async def test_it_cannot_pull_from_a_service_consumer_or_read_messages_directly(
    login: Callable[[str], Awaitable[Client]],
) -> None:
    await _case_events(login)
    js = (await login("integrator-371402")).jetstream(timeout=1)
    sub = await js.pull_subscribe_bind("notify-cases", "CASES")
    with pytest.raises(REFUSED):
        await sub.fetch(1, timeout=1)
    with pytest.raises(REFUSED):
        await js.get_msg("CASES", 1)


async def test_it_cannot_listen_to_another_county_live(
    login: Callable[[str], Awaitable[Client]],
) -> None:
    await _case_events(login)
    integrator = await login("integrator-371402")
    seen: list[str] = []

    async def keep(msg) -> None:  # type: ignore[no-untyped-def]
        seen.append(msg.subject)

    await integrator.subscribe("zuofeng.v1.371403.case.>", cb=keep)
    await integrator.subscribe("zuofeng.v1.371402.case.>", cb=keep)
    await integrator.flush()
    cases = await login("cases")
    await cases.publish("zuofeng.v1.371403.case.closed", b"{}")
    await cases.publish("zuofeng.v1.371402.case.closed", b"{}")
    await cases.flush()
    await asyncio.sleep(0.5)  # let any delivery arrive: a refused one never will
    assert seen == ["zuofeng.v1.371402.case.closed"]
    assert any("permissions violation" in v.lower() for v in integrator.violations)  # type: ignore[attr-defined]


async def test_a_service_publishes_only_its_own_events(
    login: Callable[[str], Awaitable[Client]],
) -> None:
    await _case_events(login)
    intake = await login("intake")
    await intake.jetstream(timeout=2).publish("zuofeng.v1.371402.report.received", b"{}")
    with pytest.raises(REFUSED):
        await intake.jetstream(timeout=1).publish("zuofeng.v1.371402.case.opened", b"{}")
    assert any("permissions violation" in v.lower() for v in intake.violations)  # type: ignore[attr-defined]


def _violations(server: NatsProcess, user: str) -> list[str]:
    log = (server.store.parent / "nats-server.log").read_text()
    return [line for line in log.splitlines() if "Violation" in line and f'user:{user}"' in line]


@pytest.mark.parametrize("service", ["intake", "cases", "notify", "reporting"])
async def test_each_service_does_its_own_bus_work_under_its_own_user(
    fenced: tuple[NatsProcess, dict[str, str]],
    login: Callable[[str], Awaitable[Client]],
    service: str,
) -> None:
    """What a service does on the bus, as its user with its private inbox: pull, ack and read
    its own durables, read API keys, record an error, dead-letter, and move an advised letter."""
    server, _ = fenced
    await _case_events(login)
    admin = (await login("admin")).jetstream(timeout=2)
    await admin.publish("zuofeng.v1.371402.report.received", b'{"r": 1}')
    _, key = await apikeys.create(admin, "371402-fpb", "integrator", secret="s" * 40)
    js = (await login(service)).jetstream(timeout=2)
    for cdef in (c for c in CONSUMERS if c.service == service or c.durable == "dlq-mover"):
        await js.consumer_info(cdef.stream, cdef.durable)
        sub = await js.pull_subscribe_bind(cdef.durable, cdef.stream)
        # An empty or slow pull times out (nats-py raises its own or asyncio's TimeoutError,
        # by where it was waiting); a refused one shows as a violation in the server's log.
        with contextlib.suppress(TimeoutError):
            for msg in await sub.fetch(10, timeout=1):
                await msg.ack()
    assert await apikeys.ApiKeyVerifier(lambda: js, "s" * 40).verify(key) is not None
    await dlq.record_error(js, "cases-reports", 1, "boom")
    assert "boom" in await dlq.recorded_error(js, "cases-reports", 1)
    advisory = json.dumps({"stream": "CASES", "consumer": "notify-cases", "stream_seq": 1})
    await dlq.move_advised(js, advisory.encode())  # get_msg + the DLQ publish
    letters = await dlq.list_dead_letters(admin)
    assert any(letter.consumer == "notify-cases" for letter in letters)
    await asyncio.sleep(0.2)
    assert _violations(server, service) == []
    # What it may not: read a stream's state, make a consumer, or touch another's durable.
    with pytest.raises(REFUSED):
        await js.stream_info("CASES")
    with pytest.raises(REFUSED):
        await js.add_consumer("CASES", ConsumerConfig(durable_name=f"{service}-spy"))
    other = next(c for c in CONSUMERS if c.service not in (service, "shared"))
    with pytest.raises(REFUSED):
        await js.consumer_info(other.stream, other.durable)


async def test_an_integrator_submits_over_nats_to_a_fenced_intake(
    fenced: tuple[NatsProcess, dict[str, str]],
    login: Callable[[str], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    """Intake runs as its user (private inbox, FastStream); the integrator asks on its county's
    subject and gets the answer on its own inbox (intake may answer: allow_responses)."""
    from services.intake.main import create_app
    from tests.integration.test_intake_harness import bearer, report, settings_for

    server, passwords = fenced
    admin = (await login("admin")).jetstream(timeout=2)
    await init_bus(admin, max_deliver=3, ack_wait=5)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    await asyncio.to_thread(migrate.upgrade, "intake", database_url)
    url = with_credentials(server.url, "intake", passwords["intake"])
    settings = settings_for(url, database_url, tmp_path / "var")
    _, key = await apikeys.create(
        admin, "371402-fpb", "integrator", secret=settings.resolved_apikey_secret()
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await eventually(lambda: _ready(app), timeout=15)
        integrator = await login("integrator-371402")
        for headers in (bearer("integrator"), {"X-API-Key": key}):
            reply = await integrator.request(
                "zuofeng.v1.371402.intake.submit",
                json.dumps(report(channel="integrator")).encode(),
                timeout=10,
                headers=headers,
            )
            assert set(json.loads(reply.data)) == {"report_id", "tracking_code"}
        # The relay publishes as intake; the event reaches the stream.
        await eventually(
            lambda: _stream_has(admin, "INTAKE", "zuofeng.v1.371402.report.received"),
            timeout=10,
        )
        await asyncio.sleep(0.5)  # the pull loops and the mover have run
    assert _violations(server, "intake") == []


async def _ready(app: object) -> bool:
    from shared.observability import broker_connected

    return broker_connected(app.state.runtime.broker)  # type: ignore[attr-defined]


async def _stream_has(js: JetStreamContext, stream: str, subject: str) -> bool:
    info = await js.stream_info(stream, subjects_filter=subject)
    return bool(info.state.subjects and info.state.subjects.get(subject))
