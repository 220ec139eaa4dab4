"""An append-only, keyed hash chain: who did or read what, when, from where.

Each row's hash is an HMAC-SHA256, under a key kept outside the database, of its content and
the previous row's hash, so changing, removing or reordering a row breaks the chain from there
on; `verify` says where. Without the key, someone with only database access cannot recompute
the chain after an edit (a plain SHA-256 chain they could). The head is published now and then
to a stream that refuses deletes (the anchor), so even rewriting the whole trail shows.
Appends are serialised (a transaction-scoped advisory lock on PostgreSQL, SQLite's own write
lock) so the chain never forks.

Rows chained before the key (plain SHA-256) verify as such only up to an id the operator
states (`legacy_until`), which is also kept outside the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
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


def _canonical(prev_hash: str, row: Mapping[str, Any]) -> bytes:
    content = {
        k: row[k]
        for k in ("actor_sub", "actor_unit", "actor_role", "action", "case_id", "source", "detail")
    }
    content["at"] = row["at"].astimezone(UTC).isoformat()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (prev_hash + canonical).encode()


def digest(key: bytes, prev_hash: str, row: Mapping[str, Any]) -> str:
    """The row's keyed hash: HMAC-SHA256 of the previous hash and the row's content."""
    if not key:
        raise ValueError("the audit chain needs a key")
    return hmac.new(key, _canonical(prev_hash, row), hashlib.sha256).hexdigest()


def legacy_digest(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The unkeyed hash rows had before the chain was keyed (verified up to `legacy_until`)."""
    return hashlib.sha256(_canonical(prev_hash, row)).hexdigest()


async def append(session: AsyncSession, table: Table, entry: Entry, key: bytes) -> None:
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
    row["hash"] = digest(key, row["prev_hash"], row)
    await session.execute(
        update(table)
        .where(table.c.id == new_id)
        .values(prev_hash=row["prev_hash"], hash=row["hash"])
    )


async def verify(
    session: AsyncSession, table: Table, key: bytes, *, legacy_until: int = 0
) -> list[int]:
    """Ids of the rows where the chain breaks (empty when intact). Rows with an id up to
    `legacy_until` may carry the unkeyed hash of before; every later row needs the key."""
    broken, prev = [], GENESIS
    result = await session.stream(select(table).order_by(table.c.id))
    async for found in result.mappings():
        row = dict(found)
        expected = {digest(key, prev, row)}
        if row["id"] <= legacy_until:
            expected.add(legacy_digest(prev, row))
        if row["prev_hash"] != prev or row["hash"] not in expected:
            broken.append(row["id"])
        prev = row["hash"]
    return broken


async def head(session: AsyncSession, table: Table) -> tuple[int, str] | None:
    """The last row's id and hash (what an anchor records), None for an empty trail."""
    last = await session.execute(
        select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)
    )
    row = last.first()
    return (int(row.id), str(row.hash)) if row else None


async def hash_at(session: AsyncSession, table: Table, row_id: int) -> str | None:
    """The stored hash of one row (to compare with an anchor), None if the row is gone."""
    return await session.scalar(select(table.c.hash).where(table.c.id == row_id))
