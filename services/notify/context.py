"""Notify's one dependency bag: what its handlers, delivery worker and routes work with.

Settings, database, directory, unit contacts, metrics, the clock (injected so tests move time,
e.g. to the digest hour), the wake-up the worker waits on, and notify's private key. `create_app`
builds one and sets it on `app.state.context`; routes take it as `ctx: Ctx`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request

from services.notify.contacts import Contacts
from services.notify.metrics import NotifyMetrics
from services.notify.settings import NotifySettings
from shared import sealing
from shared.db import Database
from shared.directory import Directory

PRODUCER = "notify"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    settings: NotifySettings
    db: Database
    directory: Directory
    contacts: Contacts
    metrics: NotifyMetrics
    clock: Callable[[], datetime] = utc_now
    # Set after a commit that queued deliveries, so the worker does not wait for its poll.
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def private_key(self) -> sealing.Keyring:
        """Notify's keys for opening reporters' contacts: the current one and those retired by a
        rotation. Read at each opening (rare, and a rotation needs no restart)."""
        keys_dir = self.settings.resolved_keys_dir
        if self.settings.environment == "production" and not (keys_dir / "notify.key").exists():
            # A new key could open nothing already sealed: the operator must mount ours.
            raise FileNotFoundError(f"notify's private key is missing from {keys_dir}")
        try:
            return sealing.keyring(keys_dir, "notify")
        except FileExistsError:  # intake created the pair at the same moment
            return sealing.keyring(keys_dir, "notify")

    def language_of(self, unit: str) -> str:
        return self.contacts.for_unit(unit).language or self.settings.language


async def get_context(request: Request) -> Context:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request.
    return cast(Context, request.app.state.context)


Ctx = Annotated[Context, Depends(get_context)]
