"""回头看: a set time (the profile's `recheck` clock, from the rectification's verification)
after a rectification is verified, the sweeper sends a re-check to an independent unit (the
handling unit's nearest supervisor that is neither the handling, the rectifying nor an accused
unit, else the city office): `case.recheck_due`. That unit records its verdict (`recheck`);
a failed re-check reopens the case, which keeps its whole history (`case.reopened`, the review's
answer clock started afresh). Exactly once per clock: raised under the case's row lock, the
clock re-read there and marked met with the event."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, escalation, store, transactions
from services.cases.clocks import RECHECK, Clock, plan
from services.cases.context import Context
from services.cases.domain.state import Decision
from services.cases.domain.vocabulary import Status
from services.cases.models import deadlines

BATCH = 200
log = logging.getLogger("zuofeng.cases.sweeper")
# A re-check is of a rectification that stands: verified, or verified and closed.
STANDING = (Status.RECTIFIED, Status.CLOSED)


async def raise_due(ctx: Context, now: datetime) -> int:
    """Send every re-check whose time has come; returns how many events it wrote."""
    query = (
        select(deadlines.c.case_id)
        .where(deadlines.c.kind == RECHECK, deadlines.c.state == "running", deadlines.c.due <= now)
        .order_by(deadlines.c.due)
        .limit(BATCH)
    )
    async with ctx.db.sessions() as session:
        due = list((await session.execute(query)).scalars())
    written = 0
    for case_id in due:

        async def work(session: AsyncSession, case_id: str = case_id) -> int:
            return await _raise_one(session, ctx, case_id, now)

        written += await transactions.retrying(ctx, work)
    return written


async def _raise_one(session: AsyncSession, ctx: Context, case_id: str, now: datetime) -> int:
    case = await store.load(session, case_id, lock=True, skip_locked=True)
    clock = case.clocks.get(RECHECK) if case else None
    if case is None or clock is None or clock.state != "running" or clock.due > now:
        return 0  # another replica raised it, or holds the case now
    if case.state.status not in STANDING:
        # Reopened since: the rectification is being handled again, no re-check of it.
        await appending.write_clocks(session, case_id, {RECHECK: _ended(clock)}, case.clocks)
        return 0
    entry = appending.Entry("case.recheck_due", {"recheck_unit": independent_unit(ctx, case)})
    await appending.append(session, ctx, case, [entry], {RECHECK: replace(clock, state="met")})
    log.info("re-check due", extra={"case_id": case_id})
    return 1


def _ended(clock: Clock) -> Clock:
    return replace(clock, state="stopped")


def independent_unit(ctx: Context, case: store.Loaded) -> str:
    """Neither the handling unit, the rectifying unit nor an accused one (nor under them)."""
    state = case.state
    others = (*state.accused, *((state.rectifying_unit,) if state.rectifying_unit else ()))
    return escalation.automatic_target(ctx.directory, state.handling_unit, others, ctx.prefer_line)


def reopening(
    ctx: Context, case: store.Loaded, decision: Decision, clocks: dict[str, Clock]
) -> tuple[list[appending.Entry], dict[str, Clock]]:
    """What a failed re-check adds after its own entry: the case reopened with its history."""
    if decision.event_type != "case.rechecked" or decision.data["passed"]:
        return [], clocks
    data = {"on_review_request": False, "on_recheck": True}
    profile = ctx.profile(case.row["channel"])
    merged = {**case.clocks, **clocks}
    reopen = plan("case.reopened", data, merged, ctx.now(), profile)
    internal = {"reason": decision.internal["findings"]}
    entry = appending.Entry("case.reopened", {**data, **reopen.extras}, internal)
    return [entry], {**clocks, **reopen.clocks}
