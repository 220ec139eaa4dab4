"""`zuofeng reporting rebuild` replays the streams into fresh tables and switches over; the
result equals the live projection, in place and in a fresh database, and live projecting
carries on afterwards. Every projection: the facts and counts, the scorecards' marks, the
re-checks, the supervision tables and the Women's Federation's programme tables (their figures
answered the same before and after)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import func, inspect, select, text
from typer.testing import CliRunner

from services.reporting.alerts.rule import AlertRule
from services.reporting.cli import app as reporting_cli
from services.reporting.main import create_app
from services.reporting.projection import postgres
from services.reporting.rebuild import folds
from services.reporting.rebuild.projections import SOURCES, live_tables
from services.reporting.rebuild.run import rebuild
from services.reporting.stats.city import stats
from shared.bus import init_bus, publish_envelope
from shared.db import INBOX, Database
from shared.directory import load_directory
from shared.events import Envelope, make_event
from shared.events.cases.supervision import DataRequestRefused, DataRequestRegistered
from shared.natsserver import start_nats
from tests.integration.busutil import eventually
from tests.integration.test_reporting_harness import (
    Service,
    everything,
    fresh_database,
    recount,
    running,
    service,
    settings_for,
    snapshot,
    token,
    world,
)
from tests.pg import PgServer, in_thread
from tests.sections_world import A, federation_events, supervision_events

pytestmark = pytest.mark.integration
DIRECTORY = load_directory()


@pytest.mark.parametrize("evicting", [False, True], ids=["rows-in-memory", "rows-evicted"])
async def test_rebuild_equals_live(
    database_url: str, tmp_path: Path, evicting: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if evicting:  # flush every few batches and empty the row cache each time
        monkeypatch.setattr(folds, "FLUSH_EVERY", 20)
        monkeypatch.setattr(folds, "CACHE_ROWS", 5)
    scripts = world(random.Random(8), cases=40)
    events = everything(scripts) + supervision_events() + _data_requests() + federation_events()
    async with service(database_url, tmp_path) as svc:
        await svc.publish(events)
        await svc.until_processed(len(events))
        live = await snapshot(svc.db, live_tables())
        assert all(live[t] for t in ("case_facts", "daily_counts", "latency_hist"))
        assert live["scorecard_marks"] and live["sup_rechecks"]
        assert all(live[t] for t in ("sup_tasks", "sup_inspections", "sup_datarequests"))
        assert all(live[t] for t in ("prog_villages", "prog_aid", "prog_items"))
        figures, schema = await _figures(svc), await _schema(svc.db)
        result = await rebuild(svc.db, svc.nats_url, DIRECTORY, AlertRule(), batch=7)
        assert sum(result.events.values()) == len(events) and result.skipped == 0
        assert await snapshot(svc.db, live_tables()) == live
        assert await _figures(svc) == figures
        assert await svc.processed() == len(events)  # the inbox: each event handled once
        assert await _schema(svc.db) == schema  # same tables, indexes and key names
        # The rebuilt tables are the live ones: projecting goes on into them.
        more = everything(world(random.Random(9), cases=5))
        await svc.publish(more)
        await svc.until_processed(len(events) + len(more))
        async with svc.db.sessions() as session:
            got = await stats(session, "county", "day", None, None)
        assert got == recount(events + more, "county")
        assert not await _leftover_tables(svc)


def _data_requests() -> list[Envelope]:
    """A request registered, one flagged as a repeated check, one refused (the register)."""
    out = []
    for model, extra in ((DataRequestRegistered, {}), (DataRequestRegistered, {"flagged": True}),
                         (DataRequestRefused, {"rule": "一年一次"})):  # fmt: skip
        rid = str(uuid.uuid4())
        payload = model(request_id=rid, county=A, village="红星村", requesting_unit=f"{A}-fpb",
                        kind="check", check_kind="督查", year=2026, **extra)  # fmt: skip
        out.append(make_event(payload, county=A, aggregate_id=rid, sequence=1, producer="cases",
                              occurred_at=datetime(2026, 11, 3, tzinfo=UTC)))  # fmt: skip
    return out


async def _figures(svc: Service) -> list[Any]:
    """What the supervision, programme and scorecard routes answer the city."""
    out = []
    paths = ("/api/v1/supervision", "/api/v1/stats/programmes", "/api/v1/scorecards?period=2018")
    for path in paths:
        role = "federation_officer" if "programmes" in path else "city_office"
        answer = await svc.http.get(path, headers=token("city-fl" if role != "city_office"
                                                        else "city-fpb", role))  # fmt: skip
        assert answer.status_code == 200, answer.text
        out.append(answer.json())
    return out


async def _schema(db: Database) -> dict[str, Any]:
    def read(conn: Any) -> dict[str, Any]:
        seen = inspect(conn)
        return {
            name: (
                sorted(i["name"] for i in seen.get_indexes(name)),
                seen.get_pk_constraint(name)["name"] if conn.dialect.name == "postgresql" else "",
                [c["name"] for c in seen.get_columns(name)],
            )
            for name in sorted(seen.get_table_names())
        }

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def _leftover_tables(svc: object) -> list[str]:
    db = svc.db  # type: ignore[attr-defined]
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    return [name for name in names if name.endswith("__rebuild")]


@pytest.fixture
def second_database(pg_server: PgServer, database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    return in_thread(pg_server.create_database())


async def test_rebuild_into_a_fresh_database_equals_live(
    database_url: str, second_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "BULK", 10)  # PostgreSQL: large writes go through staging
    events = everything(world(random.Random(11), cases=30))
    async with service(database_url, tmp_path) as svc:
        await svc.publish(events)
        await svc.until_processed(len(events))
        fresh = await fresh_database(second_database)
        try:
            await rebuild(fresh, svc.nats_url, DIRECTORY, AlertRule(), batch=500)
            assert await snapshot(fresh) == await snapshot(svc.db)
        finally:
            await fresh.dispose()


async def test_the_command_rebuilds(database_url: str, tmp_path: Path) -> None:
    """`zuofeng reporting rebuild` through typer, with the settings from the environment."""
    events = everything(world(random.Random(12), cases=10))
    async with service(database_url, tmp_path) as svc:
        await svc.publish(events)
        await svc.until_processed(len(events))
        before = await snapshot(svc.db)
        async with svc.db.sessions() as session, session.begin():
            await session.execute(text("DELETE FROM daily_counts"))  # damage the projection
        env = {
            "ZUOFENG_NATS_URL": svc.nats_url,
            "ZUOFENG_REPORTING_DATABASE_URL": database_url,
            "ZUOFENG_VAR_DIR": str(tmp_path / "var"),
        }
        runner = CliRunner()
        outcome = await asyncio.to_thread(runner.invoke, reporting_cli, ["rebuild"], env=env)
        assert outcome.exit_code == 0, outcome.output
        assert f"rebuilt from {len(events)} events" in outcome.output
        assert await snapshot(svc.db) == before


async def test_events_the_durables_had_not_handled_count_once(
    database_url: str, second_database: str, tmp_path: Path
) -> None:
    """A rebuild while reporting's durables have handled nothing yet (reporting stopped): the
    fresh tables hold every event and the inbox marks them, so when reporting starts it skips
    them — an inspection's findings, a scorecard mark, a programme's amount count once."""
    events = everything(world(random.Random(13), cases=10)) + supervision_events()
    events += _data_requests() + federation_events()
    async with service(database_url, tmp_path / "live") as svc:  # what live handling makes
        await svc.publish(events)
        await svc.until_processed(len(events))
        expected = await snapshot(svc.db, live_tables())
    server = start_nats(tmp_path / "nats")
    nc = await nats.connect(server.url)
    try:
        await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
        db = await fresh_database(second_database)
        try:
            for envelope in events:
                await publish_envelope(nc.jetstream(), envelope)
            await rebuild(db, server.url, DIRECTORY, AlertRule(), batch=50)
            assert await snapshot(db, live_tables()) == expected
            assert await _inbox(db) == len(events)  # each event marked for its durable
        finally:
            await db.dispose()
        app = create_app(settings_for(second_database, server.url, tmp_path / "var"))
        async with running(app):
            await eventually(lambda: _all_acked(nc), timeout=30)
            db = app.state.runtime.db
            assert await snapshot(db, live_tables()) == expected  # nothing counted twice
            assert await _inbox(db) == len(events)
    finally:
        await nc.close()
        server.stop()


async def _inbox(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(INBOX)) or 0)


async def _all_acked(nc: Any) -> bool:
    js = nc.jetstream()
    for source in SOURCES:
        info = await js.consumer_info(source.stream, source.durable)
        if info.num_pending or info.num_ack_pending:
            return False
    return True


async def test_events_during_the_rebuild_count_once(
    database_url: str, second_database: str, tmp_path: Path
) -> None:
    """Events published while the rebuild replays and switches, handled live meanwhile or after:
    the tables end as live handling alone makes them (nothing lost, nothing twice)."""
    first = everything(world(random.Random(14), cases=15)) + supervision_events()
    first += federation_events()
    during = everything(world(random.Random(15), cases=15)) + supervision_events()
    during += _data_requests() + federation_events()
    async with service(database_url, tmp_path / "live") as svc:
        await svc.publish(first + during)
        await svc.until_processed(len(first + during))
        expected = await snapshot(svc.db, live_tables())
    async with service(second_database, tmp_path / "rb") as svc:
        await svc.publish(first)
        await svc.until_processed(len(first))

        async def trickle() -> None:
            for envelope in during:
                await svc.publish([envelope])
                await asyncio.sleep(0.002)

        await asyncio.gather(
            trickle(), rebuild(svc.db, svc.nats_url, DIRECTORY, AlertRule(), batch=5)
        )
        await svc.until_processed(len(first + during))
        await eventually(lambda: _all_acked(svc.nc), timeout=30)
        assert await snapshot(svc.db, live_tables()) == expected
        assert await svc.processed() == len(first + during)
