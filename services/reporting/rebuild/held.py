"""A fresh table's rows held in memory across a rebuild's batches: each fold reads and changes
them here and they are written once per flush (COPY and one upsert on PostgreSQL), instead of a
read and a write per event or per batch.

The fresh tables are nobody else's until the switch, so what is held is what the table holds
(plus the changes not yet flushed). Past `limit` rows the memory is emptied after a flush, and
later reads look up in the table what they miss (`complete` False), as the facts' cache does."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from sqlalchemy import Table, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.projection import storage
from services.reporting.projection.storage import Row

Key = tuple[Hashable, ...]  # a row's primary key values, in the table's order


class Held:
    def __init__(self, table: Table, limit: int) -> None:
        self.table, self.limit = table, limit
        self.keys = [c.name for c in table.primary_key.columns]
        self.rows: dict[Key, Row] = {}
        self.dirty: set[Key] = set()
        self.complete = True  # every row of the table is in `rows`

    def key(self, row: Row) -> Key:
        return tuple(row[k] for k in self.keys)

    async def load(self, session: AsyncSession, keys: Iterable[Key]) -> None:
        """Read into memory the rows of these keys that were let go (nothing while complete)."""
        if self.complete:
            return
        missing = {k for k in keys if k not in self.rows}
        if not missing:
            return
        wanted = list(missing)
        single = len(self.keys) == 1
        columns = (
            self.table.c[self.keys[0]] if single else tuple_(*(self.table.c[k] for k in self.keys))
        )
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            where = columns.in_([k[0] for k in chunk] if single else chunk)
            for row in (await session.execute(select(self.table).where(where))).mappings():
                self.rows[self.key(dict(row))] = dict(row)

    def get(self, key: Key) -> Row | None:
        return self.rows.get(key)

    def put(self, row: Row) -> None:
        """Keep this row (whole: every column) to be written at the next flush."""
        key = self.key(row)
        self.rows[key] = row
        self.dirty.add(key)

    def pending(self) -> int:
        """Rows changed since the last flush."""
        return len(self.dirty)

    async def flush(self, session: AsyncSession) -> None:
        await storage.upsert(session, self.table, [self.rows[k] for k in self.dirty])
        self.dirty.clear()
        if len(self.rows) > self.limit:
            self.rows.clear()
            self.complete = False


def whole(table: Table, row: Row, defaults: Row | None = None) -> Row:
    """Every column of the table: `row`'s values, else `defaults`', else None."""
    return {c.name: row.get(c.name, (defaults or {}).get(c.name)) for c in table.c}
