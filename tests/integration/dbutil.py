"""Database helpers for integration tests."""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext

from shared import migrate
from shared.db import Database


async def migrated(url: str, service: str = "cases") -> Database:
    """A Database on `url` with the service's migrations applied."""
    await asyncio.to_thread(migrate.upgrade, service, url)
    return Database(url)


async def count_on_subject(js: JetStreamContext, stream: str, subject: str) -> int:
    """How many messages a stream holds on a subject (an ephemeral consumer counts them)."""
    sub = await js.pull_subscribe(subject, stream=stream)
    try:
        return (await sub.consumer_info()).num_pending
    finally:
        await sub.unsubscribe()
