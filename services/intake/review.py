"""Asking for a review (复查) of the reply: within the window the reply opened, once per reply,
published as `report.review_requested` through the outbox for cases to reopen the case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.context import Context
from services.intake.drafts import PRODUCER
from services.intake.models import report_steps, reports
from services.intake.reporter_view import review_open
from shared import outbox
from shared.errors import Refusal
from shared.events import make_event
from shared.events.intake import ReportReviewRequested

NO_SUCH_REPORT = ("查无此举报", "no report with this tracking code")
# No review may be asked now: no reply yet, the window passed, or already asked.
WINDOW_CLOSED = (
    "当前不能申请复查（尚未答复、已超过期限或已申请过）",
    "no review can be asked now (no reply yet, window passed, or already asked)",
)


def check_reason(ctx: Context, reason: str) -> None:
    """A reason within the length settings allow (the schema asks for one)."""
    most = ctx.settings.review_reason_max
    if len(reason) > most:
        zh, en = f"理由不能超过 {most} 字", f"reason: at most {most} characters"
        raise Refusal.invalid(("body", "reason"), zh, en)


async def request_review(ctx: Context, tracking_hash: str, reason: str) -> datetime:
    """Record the request and its event in one transaction; returns when it was made."""
    now = ctx.clock()
    async with ctx.db.sessions() as session, session.begin():
        row = (
            await session.execute(select(reports).where(reports.c.tracking_hash == tracking_hash))
        ).first()
        if row is None:
            raise Refusal.not_found(*NO_SUCH_REPORT)
        if not review_open(row, now):
            raise Refusal.conflict(*WINDOW_CLOSED)
        # Compare-and-set on the sequence: of two requests at once, one wins. Closing the
        # window makes it one request per reply.
        moved = await session.execute(
            update(reports)
            .where(reports.c.id == row.id, reports.c.sequence == row.sequence)
            .values(sequence=row.sequence + 1, review_requested_at=now, review_until=None)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Refusal.conflict(*WINDOW_CLOSED)
        await _record(session, row, reason, now)
    return now


async def _record(session: AsyncSession, row: Any, reason: str, now: datetime) -> None:
    """The `report.review_requested` event (outbox) and the reporter's step."""
    payload = ReportReviewRequested(
        report_id=row.id, case_id=row.case_id, reason=reason, requested_at=now
    )
    event = make_event(
        payload,
        county=row.county,
        aggregate_id=row.id,
        sequence=row.sequence + 1,
        producer=PRODUCER,
        correlation_id=row.id,
        occurred_at=now,
    )
    await session.execute(
        insert(report_steps).values(
            report_id=row.id,
            event_id=str(event.event_id),
            at=now,
            status="review_requested",
            text_zh="已申请复查",
            text_en="Review requested",
        )
    )
    await outbox.add(session, event)
