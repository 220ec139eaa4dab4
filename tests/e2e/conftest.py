"""The end-to-end tests' shared fixture: an empty PostgreSQL database per service."""

from __future__ import annotations

import pytest

from tests.pg import PgServer, in_thread

SERVICES = ("intake", "cases", "notify", "reporting")


@pytest.fixture
def stack_databases(pg_server: PgServer) -> dict[str, str]:
    return {name: in_thread(pg_server.create_database()) for name in SERVICES}
