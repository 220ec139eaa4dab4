"""Calendar helpers: days in Asia/Shanghai, periods for grouping, blocks for histograms."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

Block = tuple[str, date]  # level ('d', 'm', 'y') and first day


def period_key(day: date, period: str) -> str:
    """`2018-03-05`, `2018-W10` (ISO week) or `2018-03`."""
    if period == "month":
        return day.strftime("%Y-%m")
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


LEVELS = ("y", "q", "m", "w", "d")  # year, quarter, month, ISO week inside a month, day


def block_of(level: str, day: date) -> date | None:
    """The first day of the block of `level` holding `day` (None: a week across two months,
    which no query uses: whole months are reached through days instead)."""
    if level == "y":
        return date(day.year, 1, 1)
    if level == "q":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if level == "m":
        return day.replace(day=1)
    if level == "w":
        monday = day - timedelta(days=day.weekday())
        return monday if monday.month == (monday + timedelta(days=6)).month else None
    return day


def block_end(level: str, start: date) -> date:
    if level == "y":
        return date(start.year, 12, 31)
    if level == "q":
        return _next_month(_next_month(_next_month(start))) - timedelta(days=1)
    if level == "m":
        return _next_month(start) - timedelta(days=1)
    return start + timedelta(days=6 if level == "w" else 0)


def blocks(first: date, last: date) -> list[Block]:
    """The fewest years, quarters, months, weeks and days that cover [first, last] exactly."""
    out: list[Block] = []
    day = first
    while day <= last:
        level = next(
            lvl for lvl in LEVELS if block_of(lvl, day) == day and block_end(lvl, day) <= last
        )
        out.append((level, day))
        day = block_end(level, day) + timedelta(days=1)
    return out


def period_spans(first: date, last: date, period: str) -> list[tuple[str, date, date]]:
    """(period key, first day, last day) of each period overlapping [first, last], clipped."""
    spans: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        if period == "month":
            end = _next_month(day) - timedelta(days=1)
        elif period == "week":
            end = day + timedelta(days=6 - day.weekday())
        else:
            end = day
        spans.append((period_key(day, period), day, min(end, last)))
        day = end + timedelta(days=1)
    return spans


# Asia/Shanghai has kept UTC+8 without daylight saving since 1991; a fixed offset converts
# several times faster than the zoneinfo lookup, which the replay does for every row.
TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_day(moment: datetime) -> date:
    """Days are counted in Asia/Shanghai."""
    return moment.astimezone(TZ).date()


def calendar_days(start: datetime, end: datetime) -> int:
    """Calendar days from one moment to another, counted in Asia/Shanghai (never negative)."""
    return max((local_day(end) - local_day(start)).days, 0)
