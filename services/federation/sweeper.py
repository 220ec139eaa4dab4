"""Aid steps past their deadline: each told once (`federation.aid_overdue`), in the
application's sequence, so the county and city federations' lists and notices can chase it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import and_, select, update

from services.federation.aid.workflow import NEXT_DUE
from services.federation.context import Context
from services.federation.models import applications
from services.federation.publishing import publish
from shared.dlq import describe_error
from shared.events.federation.aid import AidOverdue

log = logging.getLogger("zuofeng.federation.sweeper")
BATCH = 200


async def sweep(ctx: Context) -> int:
    """Tell every step now overdue and not told yet; returns how many were told."""
    now = ctx.clock()
    query = (
        select(applications)
        .where(
            applications.c.due_at < now,
            applications.c.overdue_at.is_(None),
            applications.c.status.in_(tuple(NEXT_DUE)),
        )
        .order_by(applications.c.due_at)
        .limit(BATCH)
    )
    told = 0
    async with ctx.db.sessions() as session, session.begin():
        if not ctx.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)  # replicas take a row each
        for row in (await session.execute(query)).all():
            told += await _tell(session, row, now)
    for _ in range(told):
        ctx.metrics.step("overdue")
    return told


async def _tell(session: Any, row: Any, now: Any) -> int:
    done = await session.execute(
        update(applications)
        .where(and_(applications.c.id == row.id, applications.c.version == row.version))
        .values(overdue_at=now, version=row.version + 1)
    )
    if done.rowcount != 1:  # an officer took the step meanwhile
        return 0
    payload = AidOverdue(
        application_id=row.id, county=row.county, village_id=row.village_id,
        poor_village=row.poor_village, status=row.status, drive_id=row.drive_id,
        due_at=row.due_at,
    )  # fmt: skip
    await publish(session, payload, county=row.county, aggregate_id=row.id,
                  sequence=row.version + 1)  # fmt: skip
    log.info("aid step overdue", extra={"application_id": row.id, "county": row.county})
    return 1


async def run_forever(ctx: Context) -> None:
    while True:
        try:
            await sweep(ctx)
        except Exception as exc:  # noqa: BLE001 - the sweeper must outlive database blips
            log.warning("aid deadline sweep will retry: %s", describe_error(exc))
        await asyncio.sleep(ctx.settings.sweep_interval)
