"""The deadline sweeper: warns before a deadline (`case.deadline_approaching`), marks it missed
(`case.overdue`) and escalates to the supervising unit (`case.escalated`), each exactly once per
deadline, and lets windows that passed lapse quietly.

Exactly once with several replicas: each case is handled in its own transaction holding its row
lock (`FOR UPDATE SKIP LOCKED` on PostgreSQL: a replica skips cases another is sweeping), and the
clock's state is re-read under that lock before anything is written; the case row's optimistic
lock catches the rest (SQLite, where one runner is the rule). After downtime a pass catches up:
every clock past its due is marked missed (no late warning), oldest first. Time is `now`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, escalation, recheck, store, transactions
from services.cases.clocks import ACTIVE, OBLIGATIONS, WINDOWS, Clock, due_now
from services.cases.context import Context
from services.cases.models import deadlines
from services.cases.tasks.sweep import sweep_tasks
from shared.dlq import describe_error

BATCH = 200
log = logging.getLogger("zuofeng.cases.sweeper")


async def sweep(ctx: Context, now: datetime | None = None) -> int:
    """One pass at `now` (default: the context's clock); returns how many events it wrote."""
    now = now or ctx.now()
    await _lapse_windows(ctx, now)
    written = await sweep_tasks(ctx, now)  # the campaign's supervised tasks (issue 22)
    written += await recheck.raise_due(ctx, now)
    while True:
        candidates = await _due_cases(ctx, now)
        done = 0
        for case_id in candidates:
            done += await _sweep_one(ctx, case_id, now)
        written += done
        if len(candidates) < BATCH or done == 0:
            return written


async def _sweep_one(ctx: Context, case_id: str, now: datetime) -> int:
    async def work(session: AsyncSession) -> int:
        return await _sweep_case(session, ctx, case_id, now)

    return await transactions.retrying(ctx, work)


async def _due_cases(ctx: Context, now: datetime) -> list[str]:
    active = deadlines.c.state.in_(ACTIVE)
    warn = and_(deadlines.c.state == "running", deadlines.c.warn_at <= now)
    query = (
        select(deadlines.c.case_id)
        .where(deadlines.c.kind.in_(OBLIGATIONS), or_(warn, and_(active, deadlines.c.due < now)))
        .group_by(deadlines.c.case_id)
        .order_by(func.min(deadlines.c.due))
        .limit(BATCH)
    )
    async with ctx.db.sessions() as session:
        return list((await session.execute(query)).scalars())


async def _lapse_windows(ctx: Context, now: datetime) -> None:
    passed = and_(deadlines.c.kind.in_(WINDOWS), deadlines.c.state == "running")
    async with ctx.db.sessions() as session, session.begin():
        await session.execute(
            update(deadlines).where(passed, deadlines.c.due < now).values(state="lapsed")
        )


async def _sweep_case(session: AsyncSession, ctx: Context, case_id: str, now: datetime) -> int:
    case = await store.load(session, case_id, lock=True, skip_locked=True)
    if case is None:
        return 0  # another replica holds it (or it is gone): its sweep covers it
    entries: list[appending.Entry] = []
    changed: dict[str, Clock] = {}
    for clock in sorted(case.clocks.values(), key=lambda c: c.due):
        owed = due_now(clock, now)
        if owed == "warn":
            entries.append(appending.Entry("case.deadline_approaching", {"deadline": clock.info()}))
            changed[clock.kind] = replace(clock, state="warned")
        elif owed == "missed":
            entries += _missed(ctx, case, clock)
            changed[clock.kind] = replace(clock, state="missed")
    if entries:
        await appending.append(session, ctx, case, entries, changed)
        log.info("deadlines swept", extra={"case_id": case_id, "events": len(entries)})
    return len(entries)


def _missed(ctx: Context, case: store.Loaded, clock: Clock) -> list[appending.Entry]:
    state = case.state
    target = escalation.automatic_target(
        ctx.directory, state.handling_unit, state.accused, ctx.prefer_line
    )
    reason = f"deadline {clock.kind} missed"
    escalated = {"to_unit": target, "automatic": True, "deadline": clock.info()}
    entries = [
        appending.Entry("case.overdue", {"deadline": clock.info()}),
        appending.Entry("case.escalated", escalated, {"reason": reason}),
    ]
    if clock.kind == "supervision" and not state.raised_supervision:
        # A formal 督办 that passed without effect raises the case (提级督办, issue 26).
        entries.append(appending.Entry("case.supervision_raised", {"why": "urged_without_effect"}))
    return entries


class SweepMetrics:
    """When this replica last finished a pass, and the deadline events its passes wrote."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.last_run = Gauge(
            "zuofeng_cases_sweep_last_success_timestamp_seconds",
            "When this replica last finished a deadline sweep (Unix time; 0 before the first)",
            registry=registry,
        )
        self.fired = Counter(
            "zuofeng_cases_deadline_events",
            "Deadline events the sweeps wrote (approaching, overdue, escalated)",
            registry=registry,
        )


async def run_forever(ctx: Context, interval: float, metrics: SweepMetrics | None = None) -> None:
    """The background loop of every replica (the locks make replicas safe together)."""
    while True:
        try:
            written = await sweep(ctx)
            if metrics is not None:
                metrics.fired.inc(written)
                metrics.last_run.set_to_current_time()
        except Exception as exc:  # noqa: BLE001 - the sweeper must outlive database blips
            log.warning("deadline sweep will retry: %s", describe_error(exc))
        await asyncio.sleep(interval)
