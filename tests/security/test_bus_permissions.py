"""The bus-permission matrix on the real bundled nats-server with the project's own
authorization block: for every NATS user and every subject class, allowed or refused as
intended. A refusal is observed as no delivery (the server drops it and says "permissions
violation"); an allowance as a delivery.

Users: admin, the services, and the integrators of two counties. Admin may do anything
(it runs `zuofeng bus init` and `zuofeng apikey`); its destructive verbs are tried on a scratch
stream, not on the matrix's streams."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, StreamConfig
from nats.js.errors import Error as JsError
from nats.js.errors import KeyNotFoundError

from shared import apikeys
from shared.bus import init_bus
from shared.natsauth import (
    authorization_block,
    inbox_prefix,
    load_or_create_passwords,
    user_names,
)
from shared.natsserver import NatsProcess, start_nats

pytestmark = pytest.mark.integration
A, B = "371402", "371403"  # two counties
COUNTIES = [A, B]
SERVICES = ("intake", "cases", "notify", "reporting", "federation")
INTEGRATORS = tuple(f"integrator-{c}" for c in COUNTIES)
USERS = ("admin", *SERVICES, *INTEGRATORS)
REFUSED = (NatsTimeout, asyncio.TimeoutError, JsError)
SECRET = "bus-permissions-test-apikey-secret-0123456789"
WAIT = 0.15  # for a delivery that a refusal never makes (after a round trip: see the tests)


def _everyone(*also: str) -> set[str]:
    return {"admin", *also}


# (subject subscribed, a concrete subject admin publishes to probe it, users allowed)
SUBSCRIBE: list[tuple[str, str, set[str]]] = [
    ("_INBOX.>", "_INBOX.cases.probe", _everyone()),
    (">", f"zuofeng.v1.{B}.case.opened", _everyone()),
    ("zuofeng.>", f"zuofeng.v1.{B}.report.received", _everyone()),
    ("$KV.API_KEYS.>", "$KV.API_KEYS.probe", _everyone()),
    ("$KV.DLQ_ERRORS.>", "$KV.DLQ_ERRORS.probe", _everyone()),
    ("$JS.API.>", "$JS.API.PROBE", _everyone()),
    *[
        (f"zuofeng.v1.{c}.case.>", f"zuofeng.v1.{c}.case.opened", _everyone(f"integrator-{c}"))
        for c in COUNTIES
    ],
    *[
        (f"zuofeng.v1.{c}.report.>", f"zuofeng.v1.{c}.report.received", _everyone())
        for c in COUNTIES
    ],
    *[
        (f"zuofeng.v1.{c}.intake.submit", f"zuofeng.v1.{c}.intake.submit", _everyone("intake"))
        for c in COUNTIES
    ],
    # Another user's private inbox: only its owner (and admin) may listen.
    *[(f"_INBOX.{u}.>", f"_INBOX.{u}.probe", _everyone(u)) for u in (*SERVICES, *INTEGRATORS)],
]

# (subject published to, users allowed); admin's destructive verbs are tried on a scratch stream
DESTRUCTIVE: list[str] = [
    "$JS.API.STREAM.CREATE.EVIL",
    "$JS.API.STREAM.UPDATE.KV_API_KEYS",
    "$JS.API.STREAM.UPDATE.INTAKE",
    "$JS.API.STREAM.DELETE.INTAKE",
    "$JS.API.STREAM.DELETE.KV_API_KEYS",
    "$JS.API.STREAM.PURGE.CASES",
    "$JS.API.STREAM.PURGE.KV_API_KEYS",
    "$JS.API.STREAM.MSG.DELETE.CASES",
    "$JS.API.CONSUMER.CREATE.CASES.notify-cases",
    f"$JS.API.CONSUMER.CREATE.CASES.integ-{A}.zuofeng.v1.{B}.case.>",  # its name, B's events
    f"$JS.API.CONSUMER.CREATE.CASES.integ-{A}.zuofeng.v1.*.case.>",
    "$JS.API.CONSUMER.DURABLE.CREATE.CASES.spy",
    "$JS.API.CONSUMER.CREATE.INTAKE",
    "$JS.API.CONSUMER.DELETE.INTAKE.cases-reports",
    f"$JS.API.CONSUMER.DELETE.CASES.integ-{A}",
    "$KV.API_KEYS.abcdef012345",
]
SERVICE_USERS = set(SERVICES)
PUBLISH: list[tuple[str, set[str]]] = [
    *[(subject, set()) for subject in DESTRUCTIVE],
    ("$JS.API.STREAM.INFO.CASES", _everyone()),  # every county's subject counts
    ("$JS.API.STREAM.INFO.INTAKE", _everyone()),
    ("$JS.API.STREAM.INFO.DLQ", _everyone(*SERVICES)),  # the DLQ depth per durable (metrics)
    ("$JS.API.STREAM.LIST", _everyone()),
    ("$JS.API.CONSUMER.LIST.CASES", _everyone()),
    ("$JS.API.STREAM.MSG.GET.KV_API_KEYS", _everyone(*SERVICES)),
    ("$JS.API.DIRECT.GET.KV_API_KEYS.$KV.API_KEYS.abcdef012345", _everyone(*SERVICES)),
    ("$JS.API.STREAM.INFO.KV_API_KEYS", _everyone(*SERVICES)),
    ("$KV.DLQ_ERRORS.cases-reports.1", _everyone(*SERVICES)),
    ("$JS.API.STREAM.MSG.GET.CASES", _everyone(*SERVICES)),  # the DLQ mover's fetch
    ("$JS.API.STREAM.MSG.GET.AUDIT", _everyone("cases")),  # the last audit anchor
    ("$JS.API.STREAM.PURGE.AUDIT", _everyone()),
    ("$JS.API.STREAM.MSG.DELETE.AUDIT", _everyone()),
    # The shared AUDIT stream: each service its own records only, at city level; the API-key
    # record is admin's (`zuofeng apikey`).
    ("zuofeng.v1.371400.audit.anchored", _everyone("cases")),
    ("zuofeng.v1.371400.audit.webhook_changed", _everyone("notify")),
    ("zuofeng.v1.371400.audit.letter_opened", _everyone("notify")),
    ("zuofeng.v1.371400.audit.exported", _everyone("reporting")),
    ("zuofeng.v1.371400.audit.alert_decided", _everyone("reporting")),
    ("zuofeng.v1.371400.audit.apikey_changed", _everyone()),
    (f"zuofeng.v1.{A}.audit.anchored", _everyone()),
    ("zuofeng.v1.371400.audit.forged", _everyone()),
    ("$JS.API.CONSUMER.MSG.NEXT.INTAKE.cases-reports", _everyone("cases")),
    ("$JS.API.CONSUMER.MSG.NEXT.CASES.notify-cases", _everyone("notify")),
    ("$JS.API.CONSUMER.INFO.CASES.reporting-cases", _everyone("reporting")),
    ("$JS.ACK.INTAKE.cases-reports.1.1.1.1.1", _everyone("cases")),
    ("zuofeng.dlq.cases-reports", _everyone(*SERVICES)),
    ("$JS.API.INFO", _everyone(*INTEGRATORS)),
    ("_INBOX.integrator-371402.forged", _everyone()),  # a forged reply to an integrator
    *[
        (
            f"$JS.API.CONSUMER.CREATE.CASES.integ-{c}.zuofeng.v1.{c}.case.>",
            _everyone(f"integrator-{c}"),
        )
        for c in COUNTIES
    ],
    *[
        (f"$JS.API.CONSUMER.MSG.NEXT.CASES.integ-{c}", _everyone(f"integrator-{c}"))
        for c in COUNTIES
    ],
    # cases submits an inspection's finding as a clerk's system does (issue 22).
    *[(f"zuofeng.v1.{c}.intake.submit", _everyone(f"integrator-{c}", "cases")) for c in COUNTIES],
    # the campaign's supervision: cases publishes it, reporting pulls its own durables
    *[(f"zuofeng.v1.{c}.task.assigned", _everyone("cases")) for c in COUNTIES],
    ("zuofeng.v1.371400.inspection.planned", _everyone("cases")),
    ("$JS.API.CONSUMER.MSG.NEXT.SUPERVISION.reporting-tasks", _everyone("reporting")),
    *[(f"zuofeng.v1.{c}.case.opened", _everyone("cases")) for c in COUNTIES],
    *[(f"zuofeng.v1.{c}.report.received", _everyone("intake")) for c in COUNTIES],
    # The Women's Federation's programmes (issue 23): federation's own events only.
    *[(f"zuofeng.v1.{c}.federation.aid_submitted", _everyone("federation")) for c in COUNTIES],
    # reporting counts them per county from its own durable, and publishes none of them
    ("$JS.API.CONSUMER.MSG.NEXT.FEDERATION.reporting-federation", _everyone("reporting")),
    ("$JS.ACK.FEDERATION.reporting-federation.1.1.1.1.1", _everyone("reporting")),
]

Login = Callable[[str], Awaitable[Client]]


@pytest.fixture(scope="module")
def fenced(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[NatsProcess, dict[str, str]]]:
    base = tmp_path_factory.mktemp("fenced")
    passwords = load_or_create_passwords(base / "users.json", user_names(COUNTIES))
    server = start_nats(base / "nats", authorization=authorization_block(passwords, COUNTIES))
    yield server, passwords
    server.stop()


@pytest.fixture(scope="module")
async def login(fenced: tuple[NatsProcess, dict[str, str]]) -> AsyncIterator[Login]:
    """A connection per user (kept for the module), as the project connects: its own inbox."""
    server, passwords = fenced
    clients: dict[str, Client] = {}

    async def connect(user: str) -> Client:
        if user not in clients:
            violations: list[str] = []

            async def on_error(exc: Exception) -> None:
                violations.append(str(exc).lower())

            clients[user] = await nats.connect(
                server.url,
                user=user,
                password=passwords[user],
                error_cb=on_error,
                inbox_prefix=inbox_prefix(user),
            )
            clients[user].violations = violations  # type: ignore[attr-defined]
        return clients[user]

    admin = await connect("admin")
    await init_bus(admin.jetstream(), max_deliver=3, ack_wait=5)
    yield connect
    for client in clients.values():
        await client.close()


class Arrivals:
    """A subscription's callback: what arrived (a callback, not next_msg, so that nothing is
    lost to a cancelled wait)."""

    def __init__(self) -> None:
        self.got = asyncio.Event()

    async def keep(self, msg: object) -> None:
        self.got.set()

    async def after(self, send: Callable[[], Awaitable[None]], allowed: bool) -> bool:
        """Whether a message came after `send`. Where one should, it is sent again a few times:
        now and then one went missing on this shared test machine (that a refused one never
        arrives is what matters, and resending cannot make it)."""
        for _ in range(10 if allowed else 1):
            await send()
            try:
                await asyncio.wait_for(self.got.wait(), timeout=WAIT)
                return True
            except TimeoutError:
                continue
        return False


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("subject", "probe", "allowed"), SUBSCRIBE)
async def test_subscribe(
    login: Login, user: str, subject: str, probe: str, allowed: set[str]
) -> None:
    client, admin = await login(user), await login("admin")
    arrivals = Arrivals()
    sub = await client.subscribe(subject, cb=arrivals.keep)
    await client.flush()

    async def probe_once() -> None:
        await admin.publish(probe, b"probe")
        await admin.flush()
        await client.flush()  # the probe, if let through, has reached the client

    try:
        assert await arrivals.after(probe_once, user in allowed) is (user in allowed), (
            user,
            subject,
        )
        if user not in allowed:
            assert any(
                "permissions violation for subscription" in v and subject.lower() in v
                for v in client.violations  # type: ignore[attr-defined]
            )
    finally:
        await sub.unsubscribe()


# Admin's destructive verbs are tried on a scratch stream (test_only_admin_changes_the_bus), not
# on the streams the other cells use.
PUBLISH_CELLS = [
    (user, subject, allowed)
    for subject, allowed in PUBLISH
    for user in USERS
    if not (user == "admin" and subject in DESTRUCTIVE)
]


@pytest.mark.parametrize(("user", "subject", "allowed"), PUBLISH_CELLS)
async def test_publish(login: Login, user: str, subject: str, allowed: set[str]) -> None:
    client, admin = await login(user), await login("admin")
    arrivals = Arrivals()
    witness = await admin.subscribe(subject, cb=arrivals.keep)  # what the server lets through
    await admin.flush()

    async def publish_once() -> None:
        await client.publish(subject, b"{}")
        await client.flush()
        await admin.flush()  # the message, if let through, has reached admin

    try:
        assert await arrivals.after(publish_once, user in allowed) is (user in allowed), (
            user,
            subject,
        )
        if user not in allowed:
            assert any(
                "permissions violation for publish" in v and subject.lower() in v
                for v in client.violations  # type: ignore[attr-defined]
            )
    finally:
        await witness.unsubscribe()


@pytest.mark.parametrize("user", [*SERVICES, *INTEGRATORS])
async def test_no_service_or_integrator_changes_streams_or_writes_keys(
    login: Login, user: str
) -> None:
    """The attack of issue 15: a stream update on the API-key bucket plus a put planted a key."""
    admin = (await login("admin")).jetstream(timeout=2)
    js = (await login(user)).jetstream(timeout=1)
    before = (await admin.stream_info("KV_API_KEYS")).config
    for attempt in (
        lambda: js.update_stream(StreamConfig(name="KV_API_KEYS", subjects=["$KV.API_KEYS.>"])),
        lambda: js.update_stream(StreamConfig(name="INTAKE", subjects=["zuofeng.v1.*.report.>"])),
        lambda: js.delete_stream("CASES"),
        lambda: js.delete_stream("KV_API_KEYS"),
        lambda: js.purge_stream("INTAKE"),
        lambda: js.purge_stream("KV_API_KEYS"),
        lambda: js.publish("$KV.API_KEYS.abcdef012345", b"{}"),
        lambda: js.add_consumer("CASES", ConsumerConfig(durable_name="spy")),
        lambda: js.delete_consumer("INTAKE", "cases-reports"),
    ):
        with pytest.raises(REFUSED):
            await attempt()
    assert (await admin.stream_info("KV_API_KEYS")).config == before
    assert {s.config.name for s in await admin.streams_info()} >= {"INTAKE", "CASES", "DLQ"}
    kv = await admin.key_value("API_KEYS")
    with pytest.raises(KeyNotFoundError):
        await kv.get("abcdef012345")
    assert "spy" not in [c.name for c in await admin.consumers_info("CASES")]


async def test_only_admin_changes_the_bus(login: Login) -> None:
    js = (await login("admin")).jetstream(timeout=2)
    await js.add_stream(StreamConfig(name="SCRATCH", subjects=["scratch.>"]))
    await js.update_stream(StreamConfig(name="SCRATCH", subjects=["scratch.>", "more.>"]))
    await js.publish("scratch.one", b"x")
    await js.add_consumer("SCRATCH", ConsumerConfig(durable_name="c"))
    await js.delete_consumer("SCRATCH", "c")
    await js.purge_stream("SCRATCH")
    assert (await js.stream_info("SCRATCH")).state.messages == 0
    await js.delete_stream("SCRATCH")


async def test_an_integrator_sees_nothing_of_another_county(login: Login) -> None:
    """Integrator A listens on everything it may try; B's county's traffic of every kind
    (events, pulls by the services and by B's integrator, KV reads, submissions) goes by."""
    spy = await login(f"integrator-{A}")
    seen: list[tuple[str, bytes]] = []

    async def keep(msg: object) -> None:
        seen.append((msg.subject, msg.data))  # type: ignore[attr-defined]

    for subject in (
        ">", "_INBOX.>", "zuofeng.>", f"zuofeng.v1.{B}.>", "$JS.>", "$KV.>",
        f"{inbox_prefix(f'integrator-{A}')}.>", f"zuofeng.v1.{A}.case.>",
        f"_INBOX.integrator-{B}.>", "_INBOX.intake.>", "_INBOX.notify.>",
    ):  # fmt: skip
        await spy.subscribe(subject, cb=keep)
    await spy.flush()

    marker = f"secret-of-{B}"
    cases = (await login("cases")).jetstream(timeout=2)
    intake = (await login("intake")).jetstream(timeout=2)
    await intake.publish(f"zuofeng.v1.{B}.report.received", marker.encode())
    await cases.publish(f"zuofeng.v1.{B}.case.opened", marker.encode())
    # Services pull B's events (replies land on their own inboxes).
    for user, stream, durable in (
        ("notify", "CASES", "notify-cases"),
        ("cases", "INTAKE", "cases-reports"),
        ("reporting", "CASES", "reporting-cases"),
    ):
        sub = await (await login(user)).jetstream(timeout=2).pull_subscribe_bind(durable, stream)
        for msg in await sub.fetch(50, timeout=2):
            await msg.ack()
    # B's integrator pulls its feed; B submits a report (no intake answers here).
    b_js = (await login(f"integrator-{B}")).jetstream(timeout=2)
    own = ConsumerConfig(
        name=f"integ-{B}", durable_name=f"integ-{B}", filter_subject=f"zuofeng.v1.{B}.case.>"
    )
    await b_js.add_consumer("CASES", own)
    b_sub = await b_js.pull_subscribe_bind(f"integ-{B}", "CASES")
    assert marker.encode() in [m.data for m in await b_sub.fetch(100, timeout=2)]
    await (await login(f"integrator-{B}")).publish(f"zuofeng.v1.{B}.intake.submit", b"x")
    # A key read by a service.
    await (await login("intake")).jetstream(timeout=2).key_value("API_KEYS")
    await asyncio.sleep(0.5)
    await spy.flush()
    leaked = [(s, d) for s, d in seen if B in s or marker.encode() in d]
    assert leaked == []


async def test_a_record_written_without_the_signing_key_is_rejected(login: Login) -> None:
    """Even admin's raw write (standing for any write to the bucket) mints nothing."""
    js = (await login("admin")).jetstream(timeout=2)
    verifier = apikeys.ApiKeyVerifier(lambda: js, SECRET, cache_seconds=0)
    kv = await js.key_value("API_KEYS")
    now = datetime.now(UTC)
    for key_id, signer, role in (
        ("0123456789ab", None, "inspector"),  # unsigned, the role the attacker wanted
        ("0123456789ac", "another-secret-of-thirty-two-bytes-at-least", "integrator"),
        ("0123456789ad", SECRET, "inspector"),  # well signed, yet a role keys may not carry
    ):
        key = f"zf_{key_id}_{'x' * 43}"
        record = {
            "id": key_id,
            "hash": hashlib.sha256(key.encode()).hexdigest(),
            "unit": "city-jw",
            "role": role,
            "revoked": False,
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(days=1)).isoformat(),
        }
        if signer:
            record["sig"] = apikeys.signature(signer, record)
        await kv.put(key_id, json.dumps(record).encode())
        assert await verifier.verify(key) is None, key_id
    key_id, key = await apikeys.create(js, unit="371402-fpb", role="integrator", secret=SECRET)
    found = await verifier.verify(key)
    assert found is not None and found.role == "integrator"
    # A service reads and checks keys under its own user.
    service_js = (await login("notify")).jetstream(timeout=2)
    assert await apikeys.ApiKeyVerifier(lambda: service_js, SECRET).verify(key) == found


def test_the_block_is_what_the_launcher_writes(tmp_path: Path) -> None:
    """The matrix runs on the launcher's own block (same function, same users)."""
    passwords = load_or_create_passwords(tmp_path / "u.json", user_names(COUNTIES))
    block = authorization_block(passwords, COUNTIES)
    assert block.startswith("authorization ")
    users = json.loads(block.removeprefix("authorization "))["users"]
    assert [u["user"] for u in users] == list(USERS)
    for user in users[1:]:
        allowed = user["permissions"]["subscribe"]["allow"]
        assert "_INBOX.>" not in allowed and f"_INBOX.{user['user']}.>" in allowed
        assert not any(s.startswith("$JS.API.>") for s in user["permissions"]["publish"]["allow"])
