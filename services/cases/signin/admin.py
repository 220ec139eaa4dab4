"""Accounts from the command line (`zuofeng user`): each call opens cases' database for the
one change and closes it; the audit record goes to the outbox, published by a running cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.cases.context import Context, build_context
from services.cases.settings import CasesSettings
from shared.db import Database

T = TypeVar("T")


async def with_context(settings: CasesSettings, work: Callable[[Context], Awaitable[T]]) -> T:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    try:
        return await work(build_context(settings, db))
    finally:
        await db.dispose()
