"""Task deadlines, swept with the case deadlines (services/cases/sweeper.py): a warning
`WARN_DAYS` before the due date, then overdue and escalated to the responsible unit's nearest
supervisor (as a missed case deadline is), each once. One task per transaction, its row locked
(`SKIP LOCKED` on PostgreSQL: replicas skip each other's) and its version checked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import escalation, transactions
from services.cases.context import Context
from services.cases.tasks.events import stage
from services.cases.tasks.tables import tasks
from services.cases.transactions import Conflict

WARN_DAYS = 3
BATCH = 200


async def sweep_tasks(ctx: Context, now: datetime) -> int:
    """One pass at `now`; returns how many task events it wrote."""
    async with ctx.db.sessions() as session:
        query = select(tasks.c.id).where(_owed(now)).order_by(tasks.c.due).limit(BATCH)
        due = list((await session.execute(query)).scalars())
    written = 0
    for task_id in due:

        async def work(session: AsyncSession, task_id: str = task_id) -> int:
            return await _sweep(session, ctx, task_id, now)

        written += await transactions.retrying(ctx, work)
    return written


def _owed(now: datetime) -> ColumnElement[bool]:
    warn = and_(tasks.c.clock == "running", tasks.c.due <= now + timedelta(days=WARN_DAYS))
    return or_(warn, and_(tasks.c.clock.in_(("running", "warned")), tasks.c.due < now))


async def _sweep(session: AsyncSession, ctx: Context, task_id: str, now: datetime) -> int:
    query = select(tasks).where(tasks.c.id == task_id, _owed(now))
    found = await session.execute(query.with_for_update(skip_locked=True))
    row = found.mappings().first()
    if row is None:
        return 0  # another replica holds it, or it was met meanwhile
    task = dict(row)
    if task["due"] < now:
        target = escalation.automatic_target(
            ctx.directory, task["responsible_unit"], None, ctx.prefer_line
        )
        task = await _write(session, task, now, clock="missed", overdue=True, escalated_to=target)
        await stage(session, task, "task.overdue", now)
        task = await _write(session, task, now)
        await stage(session, task, "task.escalated", now, to_unit=target, automatic=True)
        return 2
    task = await _write(session, task, now, clock="warned")
    await stage(session, task, "task.deadline_approaching", now)
    return 1


async def _write(
    session: AsyncSession, task: dict[str, Any], now: datetime, **values: Any
) -> dict[str, Any]:
    """The task one version on (each event its own sequence), with `values` changed."""
    values |= {"version": task["version"] + 1, "updated_at": now}
    changed = await session.execute(
        update(tasks)
        .where(tasks.c.id == task["id"], tasks.c.version == task["version"])
        .values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(task["id"])
    return {**task, **values}
