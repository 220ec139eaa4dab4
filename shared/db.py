"""Database helpers: an async engine per service, and the tables every service shares.

Each service has its own database and its own migrations; the outbox and the inbox of
processed events are defined here once and added to each service's metadata.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    any_,
    bindparam,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(
    session: AsyncSession, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """`column IN (values)` for a batch's ids; on PostgreSQL one SQL text whatever their number.

    `IN` writes a placeholder per value, so each batch size is another statement for asyncpg to
    prepare (its cache holds 100 of them); `= ANY(array)` is one. bench/batch_lookups.py: even up
    to 32 ids, 2.5 times faster on batches of 1-256 (a consumer catching up). SQLite has no arrays.
    """
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores no zone: store UTC, read back UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


SHARED_METADATA = MetaData(naming_convention=NAMING)

OUTBOX = Table(
    "outbox",
    SHARED_METADATA,
    # BigInteger on PostgreSQL, INTEGER (rowid alias) on SQLite for autoincrement.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("subject", String(255), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True, index=True),
)

INBOX = Table(
    "processed_events",
    SHARED_METADATA,
    Column("consumer", String(64), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("processed_at", UtcDateTime(), nullable=False),
)


def new_metadata() -> MetaData:
    """A service's metadata with the shared tables (outbox, inbox) already on it."""
    metadata = MetaData(naming_convention=NAMING)
    for table in SHARED_METADATA.tables.values():
        table.to_metadata(metadata)
    return metadata


class Database:
    """An engine, its sessions, and the signal that wakes the outbox relay on commit."""

    def __init__(self, url: str, **engine_args: Any) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url, **engine_args)
        self.outbox_signal = asyncio.Event()
        sync_class = type("ServiceSession", (Session,), {})
        event.listen(sync_class, "after_commit", self._after_commit)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=sync_class
        )

    def _after_commit(self, session: Session) -> None:
        if session.info.pop("outbox_dirty", False):
            self.outbox_signal.set()

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
    engine_args.setdefault("pool_pre_ping", True)
    engine_args.setdefault("pool_size", 10)
    return create_async_engine(url, **engine_args)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
