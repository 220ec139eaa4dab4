"""County leaf nodes on loopback (bundled nats-server), configured by `zuofeng bus accounts
--leaves`: a city hub and two county leaves. A county's own leaf gets nothing of another county
across the hub, whoever runs it; under load, with a county's link cut and restored, every report
its intake accepted during the outage becomes a case once the link is back. The long version
(the hub stopped too, longer load) is tests/faults/test_leaf_faults.py."""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig

from bench.loadgen import Load, _one, texts
from shared.auth import issue_token
from shared.natsauth import inbox_prefix
from shared.natsleaf import start_server
from shared.subjects import submit_subject
from tests.faults.checks import reports_to_cases, rows
from tests.leafstack import JWT_SECRET, A, B, Counties, CountyProcs
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.integration
REFUSED = (nats.errors.TimeoutError, asyncio.TimeoutError, nats.js.errors.Error)


async def _as(counties: Counties, user: str, county: str | None = None) -> Client:
    return await nats.connect(counties.url(user, county), inbox_prefix=inbox_prefix(user))


async def test_a_countys_leaf_gets_nothing_of_another_county(tmp_path: Path) -> None:
    counties = Counties(tmp_path)
    await counties.start()
    # County A's operator runs its leaf as it likes: here one with no users at all, listening
    # on everything, linked with A's own credentials.
    config = json.loads((tmp_path / "accounts" / f"leaf-{A}.conf").read_text().split("\n", 1)[1])
    del config["authorization"]
    config["server_name"] = "rogue"
    config["leafnodes"]["remotes"][0]["urls"] = [
        url.replace("hub-link:7422", f"127.0.0.1:{counties.leaf_port}")
        for url in config["leafnodes"]["remotes"][0]["urls"]
    ]
    rogue = start_server(tmp_path / "rogue", json.dumps(config))
    clients: list[Client] = []
    try:
        await counties.linked(A)
        await counties.linked(B)
        spy = await nats.connect(rogue.url, no_echo=True)  # only what comes from the hub
        own = await _as(counties, f"integrator-{A}", A)
        clients += [spy, own]
        seen: list[tuple[str, bytes]] = []

        async def keep(msg: object) -> None:
            seen.append((msg.subject, msg.data))  # type: ignore[attr-defined]

        await spy.subscribe(">", cb=keep)
        await spy.flush()
        await asyncio.sleep(1.0)  # the rogue leaf's interest reaches the hub
        # B's traffic of every kind: case events at the hub, B's integrator pulling its feed
        # through B's leaf, a report from B's intake.
        cases = await _as(counties, "cases")
        integ_b = await _as(counties, f"integrator-{B}", B)
        intake_b = await _as(counties, f"intake-{B}", B)
        clients += [cases, integ_b, intake_b]
        marker = f"secret-of-{B}".encode()
        for county in (A, B):
            await cases.jetstream().publish(f"zuofeng.v1.{county}.case.opened", county.encode())
        await intake_b.jetstream(timeout=5).publish(f"zuofeng.v1.{B}.report.received", marker)
        for integ, county in ((integ_b, B), (own, A)):
            js = integ.jetstream(timeout=5)
            name = f"integ-{county}"
            feed = f"zuofeng.v1.{county}.case.>"
            await js.add_consumer(
                "CASES", ConsumerConfig(name=name, durable_name=name, filter_subject=feed)
            )
            got = await (await js.pull_subscribe_bind(name, "CASES")).fetch(1, timeout=5)
            # Each county's integrator reads its own county's feed through its own leaf.
            assert [m.subject for m in got] == [f"zuofeng.v1.{county}.case.opened"]
        # A's integrator, and the rogue leaf, may not create a consumer on B's events.
        for client in (own, spy):
            with pytest.raises(REFUSED):
                await client.jetstream(timeout=2).add_consumer("CASES", ConsumerConfig(
                    name=f"integ-{A}", durable_name=f"integ-{A}",
                    filter_subject=f"zuofeng.v1.{B}.case.>"))  # fmt: skip
        await asyncio.sleep(1.0)
        leaked = [(s, d) for s, d in seen if B in s or marker in d or B.encode() in d]
        assert leaked == []
        assert any(s == f"zuofeng.v1.{A}.case.opened" for s, _ in seen)  # the spy does listen
        # A's intake, and whatever runs on the rogue leaf with its inbox, read A's case events
        # through A's own durable, and no other durable, message or subject.
        intake_a = await _as(counties, f"intake-{A}", A)
        posing = await nats.connect(rogue.url, inbox_prefix=inbox_prefix(f"intake-{A}"))
        clients += [intake_a, posing]
        await intake_cannot_read_another_county(intake_a, cases)
        await intake_cannot_read_another_county(posing, cases)
    finally:
        for client in clients:
            await client.close()
        rogue.stop()
        await counties.stop()


async def intake_cannot_read_another_county(client: Client, cases: Client) -> None:
    publisher = cases.jetstream()
    for county in (A, B):
        await publisher.publish(f"zuofeng.v1.{county}.case.accepted", county.encode())
    js = client.jetstream(timeout=1)
    own = await js.pull_subscribe_bind(f"intake-cases-{A}", "CASES")
    got = await own.fetch(10, timeout=5)
    # A's events only on A's durable, though B's are in the stream too.
    assert got and {m.subject.split(".")[2] for m in got} == {A}
    for msg in got:
        await msg.ack()
    for durable in (f"intake-cases-{B}", "intake-cases"):  # B's, and the city's (every county)
        with pytest.raises(REFUSED):
            await js.consumer_info("CASES", durable)
        with pytest.raises(REFUSED):
            await (await js.pull_subscribe_bind(durable, "CASES")).fetch(1, timeout=1)
    with pytest.raises(REFUSED):  # B's event read by its sequence
        await js.get_msg("CASES", 2)
    with pytest.raises(REFUSED):
        await js.add_consumer("CASES", ConsumerConfig(
            name=f"intake-cases-{A}", durable_name=f"intake-cases-{A}",
            filter_subject=f"zuofeng.v1.{B}.case.>"))  # fmt: skip
    heard: list[str] = []

    async def hear(msg: Msg) -> None:
        heard.append(msg.subject)

    sub = await client.subscribe(f"zuofeng.v1.{B}.case.>", cb=hear)
    await client.flush()
    await publisher.publish(f"zuofeng.v1.{B}.case.assigned", b"{}")
    await asyncio.sleep(0.5)
    assert heard == []
    await sub.unsubscribe()


def bearer() -> dict[str, str]:
    token = issue_token(
        JWT_SECRET, unit=f"{A}-fpb", role="integrator", sub="leaf", ttl=timedelta(hours=1)
    )
    return {"Authorization": f"Bearer {token}"}


async def submit_at(url: str, county: str, rate: float, duration: float, load: Load) -> None:
    """Reports of one county at `rate` per second to that county's intake (open loop)."""
    rng, corpus = random.Random(county), texts()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        tasks, start, n = [], time.perf_counter(), 0
        while (due := start + n / rate) < start + duration:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            report: dict[str, object] = {"channel": "web", "county": county}
            report["content"] = rng.choice(corpus)
            tasks.append(asyncio.create_task(_one(http, url, report, load)))
            n += 1
        await asyncio.gather(*tasks)


async def outage_under_load(
    base: Path, database_urls: dict[str, str], *, rate: float, duration: float,
    cut_at: float, cut_for: float, hub_down_at: float | None = None, hub_down_for: float = 0,
) -> dict[str, int]:  # fmt: skip
    """Load at both counties; county A's link cut and restored (and the hub stopped and started
    when asked); then every accepted report has exactly one case. Returns the counts."""
    counties = Counties(base)
    await counties.start()
    procs = CountyProcs(base, database_urls)
    procs.nats_urls = {"cases": counties.url("cases")} | {
        f"intake-{c}": counties.url(f"intake-{c}", c) for c in (A, B)
    }
    await procs.prepare_databases()
    loads = {A: Load(), B: Load()}
    during: dict[str, int] = {}
    over_nats: set[str] = set()
    try:
        for name in procs.database_urls:
            await asyncio.to_thread(procs.start, name)
        for name in procs.database_urls:
            await asyncio.to_thread(procs.wait_ready, name)
        load = asyncio.gather(
            *(submit_at(procs.url(f"intake-{c}"), c, rate, duration, loads[c]) for c in (A, B))
        )

        async def faults() -> None:
            await asyncio.sleep(cut_at)
            await counties.links[A].cut()
            before = len(loads[A].accepted)
            # A's integrator submits over the bus at its leaf while the link is down: the
            # request stays in the county (its intake answers it).
            await asyncio.sleep(1.0)
            integrator = await _as(counties, f"integrator-{A}", A)
            body = {"channel": "integrator", "county": A, "content": texts()[0]}
            reply = await integrator.request(
                submit_subject(A), json.dumps(body).encode(), timeout=10, headers=bearer()
            )
            await integrator.close()
            over_nats.add(json.loads(reply.data)["report_id"])
            await asyncio.sleep(cut_for)
            during["accepted_while_cut"] = len(loads[A].accepted) - before
            await counties.links[A].restore()
            if hub_down_at is not None:
                await asyncio.sleep(hub_down_at)
                assert counties.hub is not None
                await asyncio.to_thread(counties.hub.stop)
                before = sum(len(x.accepted) for x in loads.values())
                await asyncio.sleep(hub_down_for)
                during["accepted_while_hub_down"] = (
                    sum(len(x.accepted) for x in loads.values()) - before
                )
                await asyncio.to_thread(counties.start_hub)

        await asyncio.gather(load, faults())
        accepted = {c: set(loads[c].accepted) for c in (A, B)}
        everything = accepted[A] | accepted[B] | over_nats
        deadline = time.monotonic() + 120
        while True:
            linked = await reports_to_cases(database_urls["cases"])
            waiting = [
                (await rows(database_urls[f"intake-{c}"],
                            "SELECT count(*) FROM outbox WHERE published_at IS NULL"))[0][0]
                for c in (A, B)
            ]  # fmt: skip
            if everything <= set(linked) and not any(waiting):
                break
            assert time.monotonic() < deadline, (
                f"{len(everything - set(linked))} accepted reports have no case; outboxes {waiting}"
            )
            await asyncio.sleep(1.0)
        doubled = {r: c for r, c in linked.items() if len(c) > 1}
        assert not doubled, doubled
        for county in (A, B):
            assert await followed_own_cases(database_urls[f"intake-{county}"]) == {
                f"intake-cases-{county}"
            }
        assert during["accepted_while_cut"] > 0, "county A accepted nothing while cut off"
        counts = {f"accepted_{c}": len(accepted[c]) for c in (A, B)} | {
            "cases": len(linked),
            "failed_requests": loads[A].failures + loads[B].failures,
            "over_nats_while_cut": len(over_nats),
        }
        return counts | during
    finally:
        procs.stop()
        await counties.stop()


async def followed_own_cases(url: str, timeout: float = 30.0) -> set[str]:
    """The durables a county's intake took case events from (for its public status) once it
    has taken some."""
    deadline = time.monotonic() + timeout
    while True:
        found = await rows(url, "SELECT DISTINCT consumer FROM processed_events")
        if found or time.monotonic() > deadline:
            return {consumer for (consumer,) in found}
        await asyncio.sleep(0.5)


@pytest.fixture
def county_databases(pg_server: PgServer) -> dict[str, str]:
    names = ["cases", f"intake-{A}", f"intake-{B}"]
    return {name: in_thread(pg_server.create_database()) for name in names}


@pytest.mark.slow
async def test_reports_accepted_while_a_county_is_cut_off_become_cases(
    tmp_path: Path, county_databases: dict[str, str]
) -> None:
    counts = await outage_under_load(
        tmp_path, county_databases, rate=5, duration=16, cut_at=4, cut_for=6
    )
    print(counts)
    assert counts["failed_requests"] == 0 and counts["over_nats_while_cut"] == 1
