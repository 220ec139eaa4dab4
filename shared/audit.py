"""An append-only, hash-chained audit trail: who did or read what, when, from where.

Each row's hash covers its content and the previous row's hash, so changing, removing or
reordering a row breaks the chain from there on; `verify` says where. Appends are serialised
(a transaction-scoped advisory lock on PostgreSQL, SQLite's own write lock) so the chain
never forks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UtcDateTime

GENESIS = "0" * 64
LOCK_KEY = 7_302_514  # any constant: the advisory lock that serialises appends


def audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime(), nullable=False),
        Column("actor_sub", String(200), nullable=False),
        Column("actor_unit", String(64), nullable=False),
        Column("actor_role", String(32), nullable=False),
        Column("action", String(64), nullable=False),
        Column("case_id", String(36), index=True),
        Column("source", String(100)),
        Column("detail", JSON, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )


@dataclass(frozen=True)
class Entry:
    actor_sub: str
    actor_unit: str
    actor_role: str
    action: str
    case_id: str | None = None
    source: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


def digest(prev_hash: str, row: dict[str, Any]) -> str:
    content = {
        k: row[k]
        for k in ("actor_sub", "actor_unit", "actor_role", "action", "case_id", "source", "detail")
    }
    content["at"] = row["at"].astimezone(UTC).isoformat()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


async def append(session: AsyncSession, table: Table, entry: Entry) -> None:
    """Add an entry in the caller's transaction (commit it with the change it records)."""
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction: appends are chained one after another.
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # Insert first: on SQLite the write takes the database's write lock until commit, so the
    # row read next is the last committed one and no other append can slip in between.
    row = {**entry.__dict__, "prev_hash": GENESIS, "hash": ""}
    new_id = (await session.execute(insert(table).values(**row).returning(table.c.id))).scalar_one()
    last = await session.scalar(
        select(table.c.hash).where(table.c.id < new_id).order_by(table.c.id.desc()).limit(1)
    )
    row["prev_hash"] = last or GENESIS
    row["hash"] = digest(row["prev_hash"], row)
    await session.execute(
        update(table)
        .where(table.c.id == new_id)
        .values(prev_hash=row["prev_hash"], hash=row["hash"])
    )


async def verify(session: AsyncSession, table: Table) -> list[int]:
    """Ids of the rows where the chain breaks (empty when intact)."""
    broken, prev = [], GENESIS
    result = await session.stream(select(table).order_by(table.c.id))
    async for row in result.mappings():
        if row["prev_hash"] != prev or digest(prev, dict(row)) != row["hash"]:
            broken.append(row["id"])
        prev = row["hash"]
    return broken
