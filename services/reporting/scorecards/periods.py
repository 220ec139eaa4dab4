"""The period a scorecard covers: a month (`2026-12`), a quarter (`2026-Q4`) or a year
(`2026`), in Asia/Shanghai days."""

from __future__ import annotations

import re
from datetime import date

from services.reporting.periods import block_end
from shared.errors import Refusal

# Years of this century and the last: a year 0000 or 9999 has no first or following day in
# `date`, and no campaign is counted there.
PATTERN = r"^(19|20)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


def period_days(period: str) -> tuple[date, date]:
    """First and last day of `period`; 422 naming `period` when it is not one."""
    if not re.fullmatch(PATTERN, period):
        zh, en = "期间格式应为 2026、2026-Q4 或 2026-12", "period is 2026, 2026-Q4 or 2026-12"
        raise Refusal.invalid(("query", "period"), zh, en)
    year = int(period[:4])
    if len(period) == 4:
        first, level = date(year, 1, 1), "y"
    elif "Q" in period:
        first, level = date(year, (int(period[-1]) - 1) * 3 + 1, 1), "q"
    else:
        first, level = date(year, int(period[5:7]), 1), "m"
    return first, block_end(level, first)


def current_month(today: date) -> str:
    return today.strftime("%Y-%m")
