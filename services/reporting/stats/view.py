"""The stats a caller may see (the API and the export): the whole city, or the cases handled by
the units in its view."""

from __future__ import annotations

from typing import Any

from services.reporting.access import figures_in_view
from services.reporting.context import Context
from services.reporting.params import StatsParams
from services.reporting.stats.city import stats
from services.reporting.stats.scoped import scoped_stats
from shared.auth import Principal
from shared.errors import Refusal

# Today's answer names both languages in one text, whatever the caller asked for.
BY_CHANNEL = "按渠道统计仅限全市范围的角色 | only whole-city readers may group by channel"


async def caller_stats(ctx: Context, caller: Principal, params: StatsParams) -> dict[str, Any]:
    """The stats of the caller's view (the API and the export)."""
    view = figures_in_view(caller, ctx.directory)
    if view is not None and params.group_by == "channel":
        raise Refusal.forbidden(BY_CHANNEL, BY_CHANNEL)
    first, last = params.range.first, params.range.last
    async with ctx.db.sessions() as session:
        if view is None:
            return await stats(session, params.group_by, params.period, first, last)
        return await scoped_stats(session, params.group_by, params.period, first, last, view)
