"""Replay speed into PostgreSQL (target: at least 10,000 events/s batched, aim for 20,000).

    .venv/bin/python bench/reporting_replay.py                   # 40,000 cases (~250k events)
    .venv/bin/python bench/reporting_replay.py --cases 5000 --batch 1000

Starts a bundled nats-server (store in a temporary directory), publishes generated case
histories to INTAKE and CASES, creates a throwaway database on the local PostgreSQL
(ZUOFENG_BENCH_PG, default postgresql://postgres@127.0.0.1:5432/postgres), and times
`zuofeng reporting rebuild`'s replay: ordered consumers from the start of both streams, batched
projection into fresh tables, the switch, and the alert pass. It also times the projection
alone (events already in memory), which shows how much of the time is the database's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import nats
from sqlalchemy import MetaData

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.reporting.alerts.rule import AlertRule  # noqa: E402
from services.reporting.models import shadow_tables  # noqa: E402
from services.reporting.projection.batch import flush, project  # noqa: E402
from services.reporting.projection.cache import Cache  # noqa
from services.reporting.projection.tables import Tables  # noqa: E402
from services.reporting.projection.totals import Totals  # noqa: E402
from services.reporting.rebuild.run import paused_gc, rebuild  # noqa: E402
from shared import migrate  # noqa: E402
from shared.bus import init_bus  # noqa: E402
from shared.db import NAMING, Database  # noqa: E402
from shared.directory import load_directory  # noqa: E402
from shared.events import Envelope, parse_payload  # noqa: E402
from shared.natsserver import start_nats  # noqa: E402
from shared.streams import stream_for_subject  # noqa: E402
from shared.subjects import event_subject  # noqa: E402
from tests.integration.test_reporting_harness import everything, world  # noqa: E402

ADMIN = os.environ.get("ZUOFENG_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _when(envelope: Envelope) -> tuple[object, int]:
    return envelope.occurred_at, 0 if envelope.type.startswith("report") else 1


async def publish(js: object, events: list[Envelope]) -> float:
    """Publish in order per stream, many PubAcks in flight (the outbox awaits each)."""
    started = time.perf_counter()
    for chunk in range(0, len(events), 500):
        await asyncio.gather(*(_send(js, e) for e in events[chunk : chunk + 500]))
    return time.perf_counter() - started


async def _send(js: object, envelope: Envelope) -> None:
    subject = event_subject(envelope.county, envelope.type)
    await js.publish(  # type: ignore[attr-defined]
        subject,
        envelope.to_bytes(),
        timeout=60,
        stream=stream_for_subject(subject),
        headers={"Nats-Msg-Id": str(envelope.event_id)},
    )


async def projection_only(db: Database, events: list[Envelope], batch: int) -> float:
    """The batched projection alone, into fresh tables, events parsed beforehand."""
    meta = MetaData(naming_convention=NAMING)
    fresh = Tables.of(shadow_tables(meta))
    async with db.engine.begin() as conn:
        await conn.run_sync(meta.drop_all)
        await conn.run_sync(meta.create_all)
    items = [(e, parse_payload(e)) for e in events]
    directory = load_directory()
    pending, cache = Totals(), Cache()
    started = time.perf_counter()
    for i in range(0, len(items), batch):
        async with db.sessions() as session, session.begin():
            chunk = items[i : i + batch]
            await project(session, fresh, chunk, directory, pending, cache)
    async with db.sessions() as session, session.begin():
        await cache.flush(session, fresh)
        await flush(session, fresh, pending)
    elapsed = time.perf_counter() - started
    async with db.engine.begin() as conn:
        await conn.run_sync(meta.drop_all)
    return elapsed


async def main(cases: int, batch: int) -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    # In the order the services would have published them over the year: each batch of the
    # replay then touches many cases, as a real stream's would.
    events = sorted(everything(world(random.Random(5), cases=cases, days=365)), key=_when)
    name = f"zuofeng_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    with tempfile.TemporaryDirectory() as tmp:
        server = start_nats(Path(tmp) / "nats")
        nc = await nats.connect(server.url)
        db = Database(url)
        try:
            await init_bus(nc.jetstream(), max_deliver=4, ack_wait=30)
            await asyncio.to_thread(migrate.upgrade, "reporting", url)
            seconds = await publish(nc.jetstream(), events)
            print(f"{len(events):,} events for {cases:,} cases published in {seconds:.1f} s")
            cpu = time.process_time()
            with paused_gc():
                alone = await projection_only(db, events, batch)
            cpu = time.process_time() - cpu
            print(
                f"projection alone: {len(events) / alone:,.0f} events/s ({alone:.1f} s; "
                f"{len(events) / cpu:,.0f} events per CPU-second of this process)"
            )
            cpu = time.process_time()
            result = await rebuild(db, server.url, load_directory(), AlertRule(), batch)
            cpu = time.process_time() - cpu
            total = sum(result.events.values())
            print(
                f"rebuild (replay from NATS, batch {batch}): {total:,} events in "
                f"{result.seconds:.1f} s = {result.per_second:,.0f} events/s "
                f"(switch {result.switch_seconds:.2f} s; {total / cpu:,.0f} events per "
                f"CPU-second of this process); {result.alerts_raised} alerts"
            )
        finally:
            await db.dispose()
            await nc.close()
            server.stop()
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.batch))
