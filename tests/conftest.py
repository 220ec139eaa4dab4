"""Real-service fixtures: a bundled nats-server per run, PostgreSQL and SQLite databases.

Unit tests use none of them. With CI=true a missing PostgreSQL fails the run instead of
skipping, so a green CI always means the PostgreSQL tests ran.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from shared.natsserver import NatsProcess, start_nats
from tests.pg import PgServer, find_admin_dsn, in_thread

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsProcess]:
    server = start_nats(tmp_path_factory.mktemp("nats"))
    yield server
    server.stop()


@pytest.fixture
async def nc(nats_server: NatsProcess) -> AsyncIterator[Client]:
    client = await nats.connect(nats_server.url, name="pytest")
    yield client
    await client.close()


@pytest.fixture
async def js(nc: Client) -> JetStreamContext:
    return nc.jetstream()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    admin, container = in_thread(find_admin_dsn())
    if admin is None:
        message = (
            "no PostgreSQL: set ZUOFENG_TEST_DATABASE_URL, run one on 127.0.0.1:5432,"
            " or have a Docker engine"
        )
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    server = PgServer(admin)
    yield server
    in_thread(server.drop_all())
    if container is not None:
        container.stop()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, new for every test.

    Sync (its async work runs in a thread): PostgreSQL is requested lazily, and pytest-asyncio
    cannot hand out async fixtures through `getfixturevalue` inside a running loop.
    """
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return in_thread(server.create_database())
