"""Asking for a review (复查) of the reply: within the window the reply opened, once per reply,
published as `report.review_requested` through the outbox for cases to reopen the case. The
review's result opens one second review (复核) by the organ one level up, asked the same way
(`report.re_review_requested`); its answer is final."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.context import Context
from services.intake.drafts import PRODUCER
from services.intake.models import report_steps, reports
from services.intake.reporter_view import re_review_open, review_open
from shared import outbox
from shared.errors import Refusal
from shared.events import make_event
from shared.events.intake import ReportReReviewRequested, ReportReviewRequested

NO_SUCH_REPORT = ("查无此举报", "no report with this tracking code")
# No review may be asked now: no reply yet, the window passed, or already asked.
WINDOW_CLOSED = (
    "当前不能申请复查（尚未答复、已超过期限或已申请过）",
    "no review can be asked now (no reply yet, window passed, or already asked)",
)
RE_REVIEW_CLOSED = (
    "当前不能申请复核（尚无复查结果、已超过期限或已申请过）",
    "no re-review can be asked now (no review result yet, window passed, or already asked)",
)


def check_reason(ctx: Context, reason: str) -> None:
    """A reason within the length settings allow (the schema asks for one)."""
    most = ctx.settings.review_reason_max
    if len(reason) > most:
        zh, en = f"理由不能超过 {most} 字", f"reason: at most {most} characters"
        raise Refusal.invalid(("body", "reason"), zh, en)


async def request_review(ctx: Context, tracking_hash: str, reason: str) -> datetime:
    """Record the request and its event in one transaction; returns when it was made."""
    return await _request(ctx, tracking_hash, reason, second=False)


async def request_re_review(ctx: Context, tracking_hash: str, reason: str) -> datetime:
    """Record a 复核 request and its event in one transaction; returns when it was made."""
    return await _request(ctx, tracking_hash, reason, second=True)


async def _request(ctx: Context, tracking_hash: str, reason: str, *, second: bool) -> datetime:
    now = ctx.clock()
    is_open, closed = (re_review_open, RE_REVIEW_CLOSED) if second else (review_open, WINDOW_CLOSED)
    async with ctx.db.sessions() as session, session.begin():
        row = (
            await session.execute(select(reports).where(reports.c.tracking_hash == tracking_hash))
        ).first()
        if row is None:
            raise Refusal.not_found(*NO_SUCH_REPORT)
        if not is_open(row, now):
            raise Refusal.conflict(*closed)
        # Compare-and-set on the sequence: of two requests at once, one wins. Closing the
        # window makes it one request per reply.
        window = (
            {"re_review_requested_at": now, "re_review_until": None}
            if second
            else {"review_requested_at": now, "review_until": None}
        )
        moved = await session.execute(
            update(reports)
            .where(reports.c.id == row.id, reports.c.sequence == row.sequence)
            .values(sequence=row.sequence + 1, **window)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Refusal.conflict(*closed)
        await _record(session, row, reason, now, second)
    return now


async def _record(
    session: AsyncSession, row: Any, reason: str, now: datetime, second: bool
) -> None:
    """The request's event (outbox) and the reporter's step."""
    kind = ReportReReviewRequested if second else ReportReviewRequested
    payload = kind(report_id=row.id, case_id=row.case_id, reason=reason, requested_at=now)
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
            status="re_review_requested" if second else "review_requested",
            text_zh="已申请复核" if second else "已申请复查",
            text_en="Re-review requested" if second else "Review requested",
        )
    )
    await outbox.add(session, event)
