"""Rating the reply (回访, issue 26): the reporter on the tracking page, or a clerk recording a
return call for a hotline reporter, rates a rejection or a closing once, within
`feedback_window_days` of it; published as `report.feedback_given` through the outbox for cases
to record. The rating is the reporter's public step too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.authorization import authorize_county
from services.intake.context import Context
from services.intake.drafts import PRODUCER
from services.intake.models import report_steps, reports
from services.intake.reporter_view import feedback_open
from shared import outbox
from shared.auth import Principal
from shared.errors import Refusal
from shared.events import make_event
from shared.events.intake import ReportFeedbackGiven
from shared.survey import Survey

NO_SUCH_REPORT = ("查无此举报", "no report with this tracking code")
WINDOW_CLOSED = (
    "当前不能评价（尚未答复、已超过评价期限或已评价过）",
    "no rating can be given now (no reply yet, window passed, or already rated)",
)
RECORDERS = ("clerk", "city_office")  # who records a return call's answer
RATINGS = {
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "unsatisfied": ("不满意", "unsatisfied"),
}


def source_of(ctx: Context, caller: Principal | None, row: Any) -> str:
    """`reporter` for the public; `return_call` for a clerk of the report's county, only for a
    hotline report (the reporter answered the clerk's call)."""
    if caller is None:
        return "reporter"
    if caller.role not in RECORDERS:
        zh = f"角色 {caller.role} 不能记录回访结果"
        raise Refusal.forbidden(zh, f"role {caller.role} may not record a return call")
    authorize_county(ctx, caller, row.county)
    if row.channel != "hotline":
        raise Refusal.conflict(
            "回访电话结果只适用于热线来电", "return calls are for hotline reports"
        )
    return "return_call"


async def give_feedback(
    ctx: Context,
    tracking_hash: str | None,
    rating: str,
    comment: str | None,
    caller: Principal | None = None,
    *,
    survey: Survey | None = None,
) -> datetime:
    """Record the rating and its event in one transaction; returns when it was given. With a
    `survey` (the 回访 SMS link's token, read and authenticated by `services/intake/survey.py`)
    the report is the token's, and only the reply the token names may be rated."""
    now = ctx.clock()
    async with ctx.db.sessions() as session, session.begin():
        if survey is not None:
            query = select(reports).where(reports.c.id == survey.report_id)
        else:
            query = select(reports).where(reports.c.tracking_hash == tracking_hash)
        row = (await session.execute(query)).first()
        if row is None:
            raise Refusal.not_found(*NO_SUCH_REPORT)
        source = source_of(ctx, caller, row)
        if not feedback_open(row, now, ctx.settings.feedback_window_days):
            raise Refusal.conflict(*WINDOW_CLOSED)
        if survey is not None and not survey_fits(survey, row, now):
            raise Refusal.conflict(*WINDOW_CLOSED)
        # Compare-and-set on the sequence: of two ratings at once, one wins.
        moved = await session.execute(
            update(reports)
            .where(reports.c.id == row.id, reports.c.sequence == row.sequence)
            .values(sequence=row.sequence + 1, feedback_at=now, feedback_rating=rating)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Refusal.conflict(*WINDOW_CLOSED)
        given = ReportFeedbackGiven(
            report_id=row.id,
            case_id=row.case_id,
            rating=rating,  # type: ignore[arg-type]
            comment=comment or None,
            source=source,  # type: ignore[arg-type]
            given_at=now,
        )
        await _record(session, row, given, now)
    return now


def survey_fits(survey: Survey, row: Any, now: datetime) -> bool:
    """The token asks about the report's current reply (not an earlier one, before the case
    was sent back) and has not expired."""
    return row.replied_at == survey.replied_at and now <= survey.expires_at


async def _record(
    session: AsyncSession, row: Any, given: ReportFeedbackGiven, now: datetime
) -> None:
    """The `report.feedback_given` event (outbox) and the reporter's step."""
    event = make_event(
        given,
        county=row.county,
        aggregate_id=row.id,
        sequence=row.sequence + 1,
        producer=PRODUCER,
        correlation_id=row.id,
        occurred_at=now,
    )
    zh, en = RATINGS[given.rating]
    await session.execute(
        insert(report_steps).values(
            report_id=row.id,
            event_id=str(event.event_id),
            at=now,
            status="rated",
            text_zh=f"已评价：{zh}",
            text_en=f"Rated: {en}",
        )
    )
    await outbox.add(session, event)
