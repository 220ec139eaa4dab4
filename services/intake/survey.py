"""The 回访 SMS link (issue 26): notify texts a named reporter `/survey/<token>` after a reply;
the token (`shared/survey.py`) names the report and the reply, is authenticated under the secret
intake shares with notify, and expires with the rating window. It rates that reply only, once
(intake's one-rating-per-reply rule), and shows nothing of the case: the tracking code stays
the only key to its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.intake import feedback
from services.intake.context import Context
from services.intake.models import reports
from services.intake.reporter_view import feedback_open
from shared import survey
from shared.errors import Refusal

INVALID = ("评价链接无效", "this rating link is not valid")


def read(ctx: Context, token: str) -> survey.Survey:
    """The token's survey, or 404 (a forged, altered or foreign token is not probed)."""
    try:
        return survey.read(ctx.keys.survey, token)
    except survey.BadToken:
        raise Refusal.not_found(*INVALID) from None


async def state(ctx: Context, asked: survey.Survey) -> dict[str, Any]:
    """What the survey page shows: whether the rating is open, and the reply's day."""
    now = ctx.clock()
    async with ctx.db.sessions() as session:
        found = await session.execute(select(reports).where(reports.c.id == asked.report_id))
        row = found.first()
    if row is None:
        raise Refusal.not_found(*INVALID)
    open_ = feedback_open(row, now, ctx.settings.feedback_window_days) and feedback.survey_fits(
        asked, row, now
    )
    return {"open": open_, "replied_at": asked.replied_at.isoformat()}


async def rate(ctx: Context, token: str, rating: str, comment: str | None) -> datetime:
    """Record the rating the link asks for (409 once rated, after the window or for a reply
    the case has since moved past)."""
    return await feedback.give_feedback(ctx, None, rating, comment, survey=read(ctx, token))
