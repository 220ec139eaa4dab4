"""What the reporter's own requests (review 复查, second review 复核, rating 回访) share: each
event acts once, its id claimed in the transaction that acts on it, on the case its report
belongs to (locked); one for an unknown case is logged and dropped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import store, transactions
from services.cases.context import Context
from services.cases.models import case_reports
from shared import inbox
from shared.events import Envelope
from shared.streams import CASES_REPORTS

log = logging.getLogger("zuofeng.cases")

Step = Callable[[AsyncSession, store.Loaded], Awaitable[None]]


async def on_reported_case(
    ctx: Context, source: Envelope, case_id: str | None, report_id: str, what: str, step: Step
) -> None:
    """Run `step` on the report's case in one transaction with the event's claim, retried."""

    async def work(session: AsyncSession) -> None:
        if not await inbox.claim(session, CASES_REPORTS.durable, str(source.event_id)):
            return
        found = case_id or await case_of(session, report_id)
        case = await store.load(session, found, lock=True) if found else None
        if case is None:
            log.warning(f"{what} for an unknown case", extra={"event_id": str(source.event_id)})
            return
        await step(session, case)

    await transactions.retrying(ctx, work)


async def case_of(session: AsyncSession, report_id: str) -> str | None:
    found = await session.execute(
        select(case_reports.c.case_id).where(case_reports.c.report_id == report_id)
    )
    return found.scalar()
