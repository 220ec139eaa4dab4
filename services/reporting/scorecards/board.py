"""A period's scorecards as the route and the dashboard show them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from services.reporting.context import Context
from services.reporting.scorecards.figures import Thresholds, cards, counts
from services.reporting.scorecards.periods import current_month, period_days
from shared.deadlines import local_day


def thresholds(ctx: Context) -> Thresholds:
    s = ctx.settings
    return Thresholds(
        on_time_acceptance=s.scorecard_min_on_time_acceptance,
        on_time_completion=s.scorecard_min_on_time_completion,
        satisfaction=s.scorecard_min_satisfaction,
        redo=s.scorecard_max_redo,
    )


async def scorecards(
    ctx: Context, period: str | None, group_by: str, units: Collection[str] | None
) -> dict[str, Any]:
    """The cards of `period` (default: this month) in `units` (None: the whole city)."""
    period = period or current_month(local_day(ctx.clock()))
    first, last = period_days(period)
    limits = thresholds(ctx)
    async with ctx.db.sessions() as session:
        grouped = await counts(session, first, last, group_by, units)
    items = cards(grouped, limits)
    return {
        "period": period,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "group_by": group_by,
        "thresholds": vars(limits),
        "flagged": sum(1 for item in items if item["flagged"]),
        "items": items,
        "total": len(items),
        "next": None,
    }
