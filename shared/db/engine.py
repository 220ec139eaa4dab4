"""A service's database: an async engine (SQLite locally, PostgreSQL in production), its
sessions, and what a commit hands the outbox relay: the signal that wakes it and the rows
the transaction staged (shared/outbox.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session


class Database:
    """An engine, its sessions, and the signal that wakes the outbox relay on commit."""

    def __init__(self, url: str, **engine_args: Any) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url, **engine_args)
        self.outbox_signal = asyncio.Event()
        # Outbox rows of this process's committed transactions, in commit order, for the relay
        # to publish without reading them back (`outbox.Staged`); None until a relay takes them
        # (a command-line process has none: its rows wait in the table for a service's relay).
        # `outbox_sweep` asks the relay to read the table, where rows may be that nobody handed.
        self.outbox_handoff: list[Any] | None = None
        self.outbox_sweep = False
        sync_class = type("ServiceSession", (Session,), {})
        event.listen(sync_class, "after_commit", self._after_commit)
        event.listen(sync_class, "after_soft_rollback", self._after_soft_rollback)
        event.listen(sync_class, "after_transaction_end", self._after_transaction_end)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=sync_class
        )

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint released: its rows go with the transaction's commit
        staged = session.info.pop("outbox_staged", None)
        if staged and self.outbox_handoff is not None:
            self.outbox_handoff.extend(staged)
        if session.info.pop("outbox_sweep", False):
            self.outbox_sweep = True
        if session.info.pop("outbox_dirty", False):
            self.outbox_signal.set()

    def _after_soft_rollback(self, session: Session, previous: Any) -> None:
        """A savepoint rolled back (none in the services today): the list cannot tell which
        of its rows went with it, so the relay reads the table after the commit instead."""
        if previous.nested and session.info.pop("outbox_staged", None):
            session.info["outbox_sweep"] = True

    def _after_transaction_end(self, session: Session, transaction: Any) -> None:
        if transaction.parent is None:  # not committed (a commit took them): nothing to hand
            session.info.pop("outbox_staged", None)
            session.info.pop("outbox_sweep", None)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - readiness answers, it does not raise
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_engine(url: str, **engine_args: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so readers and the relay coexist.
    Errors never show the statement's parameters (names, report text): they reach logs."""
    engine_args.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **engine_args)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine_args.setdefault("pool_size", 10)
    engine = create_async_engine(url, **engine_args)
    if not engine_args.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _closed_is_disconnected)
    return engine


def _closed_is_disconnected(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server closed (a PostgreSQL restart, an idle timeout) is
    replaced at checkout, as `pool_pre_ping` would, without its three round trips (BEGIN, a
    ping, ROLLBACK) before every transaction: asyncpg already knows a closed socket. A
    connection that dies in use fails its transaction as it would with the ping, and the
    pool then drops every connection of before the failure."""
    connection = getattr(dbapi_conn, "_connection", None)
    if connection is not None and connection.is_closed():
        raise DisconnectionError("connection closed by the server")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
