"""One use case, one transaction, run again from the start when it lost a race."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.context import Context

ATTEMPTS = 5
T = TypeVar("T")


class Conflict(Exception):
    """Another writer changed the case first: retry the whole use case."""


async def retrying(
    ctx: Context,
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    one_writer: bool = False,
) -> T:
    """Run `work` in a transaction, again from the start when it lost a race (a `Conflict`, a
    duplicate key, SQLite's "database is locked"). `one_writer`: on SQLite, take the process's
    write lock (SQLite has no row locks to serialise on)."""
    for attempt in range(1, ATTEMPTS + 1):
        lock = ctx.write_lock if one_writer and ctx.db.is_sqlite else None
        try:
            async with (
                lock or contextlib.nullcontext(),
                ctx.db.sessions() as session,
                session.begin(),
            ):
                return await work(session)
        except (Conflict, IntegrityError, OperationalError):
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
