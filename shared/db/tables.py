"""The tables every service has in its own database: the outbox and the inbox of processed
events, defined here once and added to each service's metadata."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table

from shared.db.columns import NAMING, UtcDateTime

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
