"""Writes of projection rows through asyncpg on PostgreSQL: prepared upserts for a few rows, COPY
into a staging table for many."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import COUNT_FIELDS

ADDED = {"daily_counts": COUNT_FIELDS, "latency_hist": ("n",)}


def keys_of(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def added_of(table: Table) -> tuple[str, ...]:
    return ADDED[table.name.removesuffix("__rebuild")]


async def raw_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside the session's transaction."""
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    if not raw.is_in_transaction():
        await session.execute(text("SELECT 1"))  # let SQLAlchemy open the transaction first
    return raw


async def pg_write(
    session: AsyncSession, table: Table, rows: list[tuple[Any, ...]], replace: bool
) -> None:
    """A few rows: one prepared upsert per row. Many (a replay's flush): COPY them into a
    temporary table and upsert from it in one statement, several times faster."""
    raw = await raw_connection(session)
    if len(rows) < BULK:
        await raw.executemany(_pg_sql(table, replace, "VALUES"), rows)
        return
    staging = f"staging_{table.name}"
    await raw.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
        f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    await raw.copy_records_to_table(staging, records=rows, columns=[c.name for c in table.c])
    await raw.execute(_pg_sql(table, replace, staging))
    await raw.execute(f"TRUNCATE {staging}")  # the same transaction may stage again


BULK = 2000


@lru_cache(maxsize=64)
def _pg_sql(table: Table, replace: bool, source: str) -> str:
    """The upsert, from `VALUES` parameters or from a staging table."""
    names = [c.name for c in table.c]
    keys = keys_of(table)
    columns = ", ".join(f'"{n}"' for n in names)
    if replace:
        sets = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n not in keys)
    else:
        sets = ", ".join(f'"{n}" = {table.name}."{n}" + EXCLUDED."{n}"' for n in added_of(table))
    if source == "VALUES":
        rows = "VALUES (" + ", ".join(f"${i}" for i in range(1, len(names) + 1)) + ")"
    else:
        rows = f"SELECT {columns} FROM {source}"
    conflict = ", ".join(f'"{k}"' for k in keys)
    return (
        f"INSERT INTO {table.name} ({columns}) {rows} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )
