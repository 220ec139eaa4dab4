"""The migration stairway: every revision goes up and down cleanly, for every service."""

from __future__ import annotations

import asyncio

import pytest

from shared import migrate

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", migrate.SERVICES)
async def test_stairway(service: str, database_url: str) -> None:
    revisions = migrate.revisions(service)
    assert revisions, f"{service} has no migrations"
    previous = "base"
    for revision in revisions:
        await asyncio.to_thread(migrate.upgrade, service, database_url, revision)
        await asyncio.to_thread(migrate.downgrade, service, database_url, previous)
        await asyncio.to_thread(migrate.upgrade, service, database_url, revision)
        previous = revision
