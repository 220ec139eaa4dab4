"""Batched reads and writes of projection rows: facts by id, upserts, aggregate additions.

On PostgreSQL they go straight through asyncpg (plain tuples and records: a replay moves
hundreds of thousands of rows, and SQLAlchemy's per-value processing would cost as much as the
projection itself); on SQLite through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.projection.postgres import added_of, keys_of, pg_write, raw_connection

Row = dict[str, Any]  # a fact row, as the projections read and write it


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def load(
    session: AsyncSession,
    table: Table,
    ids: set[str],
    also: tuple[str, set[str]] | None = None,
) -> dict[str, Row]:
    """Rows by primary key (and, with `also`, rows whose column is in a second id set)."""
    key = keys_of(table)[0]
    more = also[1] if also is not None else set()
    if not ids and not more:
        return {}
    if dialect(session) == "postgresql":
        sql = f"SELECT * FROM {table.name} WHERE {key} = ANY($1::text[])"
        args: list[Any] = [sorted(ids)]
        if more:
            sql += f" OR {also[0]} = ANY($2::text[])"  # type: ignore[index]
            args.append(sorted(more))
        records = await (await raw_connection(session)).fetch(sql, *args)
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
        values = itemgetter(*names)  # a tuple per row in column order, in C (a replay's rows)
        await pg_write(session, table, [values(r) for r in rows], True)
        return
    ins = sqlite.insert(table)
    keys = keys_of(table)
    replace = {n: ins.excluded[n] for n in names if n not in keys}
    await session.execute(ins.on_conflict_do_update(index_elements=keys, set_=replace), rows)


async def add(session: AsyncSession, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add to the numbers of aggregate rows (tuples in column order), creating missing rows."""
    if not rows:
        return
    if dialect(session) == "postgresql":
        await pg_write(session, table, list(rows), False)
        return
    names = [c.name for c in table.c]
    ins = sqlite.insert(table)
    summed = {n: table.c[n] + ins.excluded[n] for n in added_of(table)}
    stmt = ins.on_conflict_do_update(index_elements=keys_of(table), set_=summed)
    await session.execute(stmt, [dict(zip(names, row, strict=True)) for row in rows])
