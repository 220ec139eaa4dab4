"""The end-to-end tests' shared fixtures: an empty PostgreSQL database per service; a bundled
nats-server for a whole module (its own store directory)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.natsserver import NatsProcess, start_nats
from tests.pg import PgServer, in_thread

SERVICES = ("intake", "cases", "notify", "reporting")


@pytest.fixture
def stack_databases(pg_server: PgServer) -> dict[str, str]:
    return {name: in_thread(pg_server.create_database()) for name in SERVICES}


@pytest.fixture(scope="module")
def nats_here(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsProcess]:
    server = start_nats(tmp_path_factory.mktemp("nats"))
    yield server
    server.stop()
