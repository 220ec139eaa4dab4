"""Batched reads and writes of projection rows: facts by id, upserts, aggregate additions.

On PostgreSQL they go straight through asyncpg (plain tuples and records: a replay moves
hundreds of thousands of rows, and SQLAlchemy's per-value processing would cost as much as the
projection itself); on SQLite through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import COUNT_FIELDS

Row = dict[str, Any]
ADDED = {"daily_counts": COUNT_FIELDS, "latency_hist": ("n",)}


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _keys(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _added(table: Table) -> tuple[str, ...]:
    return ADDED[table.name.removesuffix("__rebuild")]


async def load(
    session: AsyncSession,
    table: Table,
    ids: set[str],
    also: tuple[str, set[str]] | None = None,
) -> dict[str, Row]:
    """Rows by primary key (and, with `also`, rows whose column is in a second id set)."""
    key = _keys(table)[0]
    more = also[1] if also is not None else set()
    if not ids and not more:
        return {}
    if dialect(session) == "postgresql":
        sql = f"SELECT * FROM {table.name} WHERE {key} = ANY($1::text[])"
        args: list[Any] = [sorted(ids)]
        if more:
            sql += f" OR {also[0]} = ANY($2::text[])"  # type: ignore[index]
            args.append(sorted(more))
        records = await (await _raw(session)).fetch(sql, *args)
        return {record[key]: dict(record) for record in records}
    condition: Any = table.c[key].in_(sorted(ids))
    if more:
        condition = condition | table.c[also[0]].in_(sorted(more))  # type: ignore[index]
    rows = (await session.execute(select(table).where(condition))).mappings()
    return {row[key]: dict(row) for row in rows}


async def upsert(session: AsyncSession, table: Table, rows: list[Row]) -> None:
    """Insert or replace whole rows (facts)."""
    if not rows:
        return
    names = [c.name for c in table.c]
    if dialect(session) == "postgresql":
        await _pg_write(session, table, [tuple(r[n] for n in names) for r in rows], True)
        return
    ins = sqlite.insert(table)
    keys = _keys(table)
    replace = {n: ins.excluded[n] for n in names if n not in keys}
    await session.execute(ins.on_conflict_do_update(index_elements=keys, set_=replace), rows)


async def add(session: AsyncSession, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add to the numbers of aggregate rows (tuples in column order), creating missing rows."""
    if not rows:
        return
    if dialect(session) == "postgresql":
        await _pg_write(session, table, list(rows), False)
        return
    names = [c.name for c in table.c]
    ins = sqlite.insert(table)
    summed = {n: table.c[n] + ins.excluded[n] for n in _added(table)}
    stmt = ins.on_conflict_do_update(index_elements=_keys(table), set_=summed)
    await session.execute(stmt, [dict(zip(names, row, strict=True)) for row in rows])


async def _raw(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside the session's transaction."""
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    if not raw.is_in_transaction():
        await session.execute(text("SELECT 1"))  # let SQLAlchemy open the transaction first
    return raw


async def _pg_write(
    session: AsyncSession, table: Table, rows: list[tuple[Any, ...]], replace: bool
) -> None:
    """A few rows: one prepared upsert per row. Many (a replay's flush): COPY them into a
    temporary table and upsert from it in one statement, several times faster."""
    raw = await _raw(session)
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
    keys = _keys(table)
    columns = ", ".join(f'"{n}"' for n in names)
    if replace:
        sets = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n not in keys)
    else:
        sets = ", ".join(f'"{n}" = {table.name}."{n}" + EXCLUDED."{n}"' for n in _added(table))
    if source == "VALUES":
        rows = "VALUES (" + ", ".join(f"${i}" for i in range(1, len(names) + 1)) + ")"
    else:
        rows = f"SELECT {columns} FROM {source}"
    conflict = ", ".join(f'"{k}"' for k in keys)
    return (
        f"INSERT INTO {table.name} ({columns}) {rows} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )
