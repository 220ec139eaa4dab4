"""What a reporter sees by their tracking code: the status, the dated public steps, the
deadline the handling unit must meet, and until when a review of the reply may be asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import report_steps, reports


def review_open(row: Any, now: datetime) -> bool:
    """Whether the reporter may ask for a review now: within the window of the last reply,
    which a request closes (so each reply allows one, whatever the services' clocks say)."""
    return row.replied_at is not None and row.review_until is not None and now <= row.review_until


def re_review_open(row: Any, now: datetime) -> bool:
    """Whether a second review (复核) may be asked now: within the window the review's result
    opened, which a request closes (one 复核, and its answer is final)."""
    until = row.re_review_until
    return row.replied_at is not None and until is not None and now <= until


def deadline_due(row: Any) -> str | None:
    """The deadline the unit must meet now; none while the case is with another organ (a
    transfer suspends the unit's deadlines, an objection resumes them)."""
    if row.deadline_due is None or row.case_status == "transferred":
        return None
    return str(row.deadline_due.isoformat())


async def view(
    session: AsyncSession,
    tracking_hash: str,
    english: bool,
    now: datetime,
    feedback_days: int = 15,
) -> dict[str, Any] | None:
    """The reporter's view by the keyed hash of their tracking code. The report and its steps
    come from one statement (one snapshot): read apart, a batch of case events committed in
    between would show new steps beside the old status."""
    s = report_steps.c
    rows = (
        await session.execute(
            select(
                reports,
                s.at.label("step_at"),
                s.status.label("step_status"),
                s.text_zh.label("step_zh"),
                s.text_en.label("step_en"),
            )
            .select_from(reports.outerjoin(report_steps, s.report_id == reports.c.id))
            .where(reports.c.tracking_hash == tracking_hash)
            .order_by(s.at, s.id)
        )
    ).all()
    if not rows:
        return None
    row = rows[0]
    steps = [r for r in rows if r.step_at is not None]
    return {
        "status": row.status,
        "steps": [
            {
                "at": step.step_at.isoformat(),
                "status": step.step_status,
                "text": step.step_en if english else step.step_zh,
            }
            for step in steps
        ],
        "review_until": row.review_until.isoformat() if review_open(row, now) else None,
        "re_review_until": (row.re_review_until.isoformat() if re_review_open(row, now) else None),
        "deadline": deadline_due(row),
        "deadline_kind": (row.deadline_kind or "handle") if deadline_due(row) else None,
        **feedback_view(row, now, feedback_days),
    }


def feedback_until(row: Any, days: int) -> datetime | None:
    """Until when the last reply may be rated (回访); None without a reply or once rated (one
    rating per reply)."""
    if row.replied_at is None:
        return None
    if row.feedback_at is not None and row.feedback_at >= row.replied_at:
        return None
    return row.replied_at + timedelta(days=days)  # type: ignore[no-any-return]


def feedback_open(row: Any, now: datetime, days: int) -> bool:
    until = feedback_until(row, days)
    return until is not None and now <= until


def feedback_view(row: Any, now: datetime, days: int) -> dict[str, Any]:
    """Until when the reply may be rated (while it may), and the last reply's rating."""
    until = feedback_until(row, days)
    rated = row.replied_at is not None and until is None
    return {
        "feedback_until": until.isoformat() if until and now <= until else None,
        "rating": row.feedback_rating if rated else None,
    }
