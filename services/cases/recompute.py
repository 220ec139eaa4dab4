"""Recompute the provisional deadlines of open cases once a year's holiday table arrives
(`zuofeng deadlines recompute`). A deadline counted in working days into a year without a table
counted weekends only and was marked provisional; with the table its due date may move. Each
case whose deadlines moved gets one `case.deadlines_recomputed` event (new dates and old) in the
same transaction as the new dates, through the outbox like every case event.

Only clocks still running, warned or suspended are recomputed, from their start and their
profile's rule; a clock an extension moved is never provisional (extensions are calendar days).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, store, transactions
from services.cases.clocks import ACTIVE, OBLIGATIONS, Clock
from services.cases.context import Context
from services.cases.models import deadlines
from shared.holidays import WorkCalendar, read_calendar

OPEN = ACTIVE | {"suspended"}
log = logging.getLogger("zuofeng.cases.recompute")


@dataclass(frozen=True)
class Moved:
    """One case's recomputed deadlines: kind → (old due, new due)."""

    case_id: str
    changes: dict[str, tuple[str, str]]


async def recompute(
    ctx: Context,
    calendar: WorkCalendar | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[Moved]:
    """Recompute every provisional open deadline with `calendar` (default: the configured
    tables read now, so a table added since the service started counts); `progress(done,
    total)` after each case (the command's bar)."""
    calendar = calendar or read_calendar()
    query = (
        select(deadlines.c.case_id)
        .where(deadlines.c.provisional.is_(True), deadlines.c.state.in_(OPEN))
        .group_by(deadlines.c.case_id)
        .order_by(deadlines.c.case_id)
    )
    async with ctx.db.sessions() as session:
        ids = list((await session.execute(query)).scalars())
    moved: list[Moved] = []
    progress(0, len(ids))
    for done_cases, case_id in enumerate(ids, 1):

        async def work(session: AsyncSession, case_id: str = case_id) -> Moved | None:
            return await _recompute_case(session, ctx, case_id, calendar)

        if (done := await transactions.retrying(ctx, work)) is not None:
            moved.append(done)
        progress(done_cases, len(ids))
    return moved


def recomputed(clock: Clock, ctx: Context, channel: str, calendar: WorkCalendar) -> Clock:
    """The clock as its rule computes it now (unchanged if its rule is not a profile's)."""
    profile = ctx.profile(channel)
    if clock.kind not in profile.clocks or clock.started_at is None:
        return clock
    deadline = profile.deadline(clock.kind, clock.started_at, calendar)
    # A warning already given stays given; otherwise warn by the new date.
    warn = (
        deadline.warn_at
        if clock.kind in OBLIGATIONS and clock.state == "running"
        else clock.warn_at
    )
    return replace(clock, due=deadline.due, provisional=deadline.provisional, warn_at=warn)


async def _recompute_case(
    session: AsyncSession, ctx: Context, case_id: str, calendar: WorkCalendar
) -> Moved | None:
    case = await store.load(session, case_id, lock=True)
    if case is None:
        return None
    changed: dict[str, Clock] = {}
    for clock in case.clocks.values():
        if clock.provisional and clock.state in OPEN:
            new = recomputed(clock, ctx, str(case.row["channel"]), calendar)
            if (new.due, new.provisional) != (clock.due, clock.provisional):
                changed[clock.kind] = new
    if not changed:
        return None
    kinds = sorted(changed)
    data = {
        "deadlines": tuple(changed[k].info() for k in kinds),
        "previous": tuple(case.clocks[k].info() for k in kinds),
    }
    await appending.append(
        session, ctx, case, [appending.Entry("case.deadlines_recomputed", data)], changed
    )
    log.info("deadlines recomputed", extra={"case_id": case_id, "kinds": kinds})
    return Moved(
        case_id, {k: (case.clocks[k].due.isoformat(), changed[k].due.isoformat()) for k in kinds}
    )
