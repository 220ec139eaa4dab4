"""Batch lookups on PostgreSQL: `IN (...)` against `shared.db.one_of` (`= ANY(array)`).

Every batched consumer looks up its batch's ids (inbox, contacts, reports...). `IN` writes one
placeholder per id, so each batch size is another statement for asyncpg to prepare; `ANY` is
one statement. Prints the time per lookup (wall, this process's CPU, the server backend's CPU
when it runs on this machine) for batches of 1-8, 1-32 and 1-256 ids among 50,000 rows.

Run: .venv/bin/python bench/batch_lookups.py   (ZUOFENG_BENCH_DATABASE_URL picks the server)
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cases_opening import drop_database, fresh_database  # noqa: E402
from shared.db import Database, one_of  # noqa: E402

ROWS, LOOKUPS = 50_000, 3_000
metadata = MetaData()
things = Table("things", metadata, Column("id", String(36), primary_key=True))


def backend_cpu(pid: int) -> float | None:
    """Seconds of CPU the server process has used (None when it is on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def timed(db: Database, batches: list[list[str]], form: str) -> str:
    async with db.sessions() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        server, wall, own = backend_cpu(pid), time.perf_counter(), time.process_time()
        for ids in batches:
            wanted = things.c.id.in_(ids) if form == "IN" else one_of(session, things.c.id, ids)
            found = (await session.execute(select(things.c.id).where(wanted))).all()
            assert len(found) == len(ids)
        after = backend_cpu(pid)
    per = 1000 / len(batches)
    line = f"{(time.perf_counter() - wall) * per:6.3f} ms wall, {(time.process_time() - own) * per:.3f} ms client"
    if server is not None and after is not None:
        line += f", {(after - server) * per:.3f} ms server"
    return line


async def main() -> None:
    url = await fresh_database()
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            ids = [str(uuid.uuid4()) for _ in range(ROWS)]
            await conn.execute(insert(things), [{"id": i} for i in ids])
            await conn.execute(text("ANALYZE things"))
        rng = random.Random(7)
        for largest in (8, 32, 256):
            batches = [rng.sample(ids, rng.randint(1, largest)) for _ in range(LOOKUPS)]
            for form in ("IN", "ANY", "IN", "ANY"):  # twice each: the first may warm caches
                print(f"batches of 1-{largest:<3} {form:>3}: {await timed(db, batches, form)}")
    finally:
        await db.dispose()
        await drop_database(url)


if __name__ == "__main__":
    asyncio.run(main())
