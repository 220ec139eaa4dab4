"""Stats as the contract defines them, read from the daily aggregates.

`received` counts reports (merged ones included), `cases` counts cases, `unit` is the handling
unit, `substantiated` means substantiated or partly, `rectified` means verified, `overdue`
counts cases that missed any deadline, dates filter on receipt (days in Asia/Shanghai, both
ends included). A report whose case is not known yet counts in the totals and under its
county, channel and period, but under no unit or problem. Medians are of calendar days taken
(Asia/Shanghai), from receipt to acceptance and to closing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Literal

from sqlalchemy import BigInteger, and_, case, cast, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.contributions import as_dict
from services.reporting.models import COUNT_FIELDS, daily_counts, latency_hist
from services.reporting.periods import LEVELS, Block, blocks, period_key, period_spans

GroupBy = Literal["county", "unit", "problem", "channel", "period"]
Period = Literal["day", "week", "month"]
# Drilling down: within a county or a unit, group by one of these (dim of the pair).
WITHIN = {
    ("county", "unit"): "county_unit",
    ("county", "problem"): "county_problem",
    ("unit", "problem"): "unit_problem",
}


def empty(key: str) -> dict[str, Any]:
    return {"key": key, **dict.fromkeys(COUNT_FIELDS, 0)} | {
        "median_days_to_accept": None,
        "median_days_to_close": None,
    }


async def bounds(
    session: AsyncSession, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """The requested range, open ends closed by the data's first and last day."""
    if first is None or last is None:
        query = select(func.min(daily_counts.c.day), func.max(daily_counts.c.day))
        low, high = (await session.execute(query.where(daily_counts.c.dim == "total"))).one()
        first = first or low
        last = last or high
    return first, last


async def stats(
    session: AsyncSession,
    group_by: GroupBy,
    period: Period,
    date_from: date | None,
    date_to: date | None,
    within: tuple[str, str] | None = None,
    medians: bool = True,
) -> dict[str, Any]:
    """`{"groups": [...], "totals": {...}}`; `within` = (dim, key) narrows to a county or unit;
    without `medians` the groups' medians are left out (None), for charts that show none."""
    first, last = await bounds(session, date_from, date_to)
    total_dim, total_key = within or ("total", "")
    if first is None or last is None or first > last:
        return {"groups": [], "totals": empty("total")}
    totals = await _totals(session, total_dim, total_key, first, last)
    if group_by == "period":
        groups = await _by_period(session, total_dim, total_key, period, (first, last), medians)
    else:
        dim = group_by if within is None else WITHIN[(within[0], group_by)]
        prefix = None if within is None else f"{within[1]}|"
        groups = await _by_key(session, dim, prefix, (first, last), medians)
    return {"groups": groups, "totals": totals}


def _sums() -> list[Any]:
    return [func.sum(daily_counts.c[f]).label(f) for f in COUNT_FIELDS]


def _in_range(dim: str, first: date, last: date) -> Any:
    c = daily_counts.c
    return and_(c.dim == dim, c.day >= first, c.day <= last)


async def _totals(
    session: AsyncSession, dim: str, key: str, first: date, last: date
) -> dict[str, Any]:
    query = select(*_sums()).where(_in_range(dim, first, last), daily_counts.c.key == key)
    row = (await session.execute(query)).one()
    out = empty("total") | {f: int(row[i] or 0) for i, f in enumerate(COUNT_FIELDS)}
    medians = await _medians(session, dim, {key: blocks(first, last)})
    return out | medians.get(key, {})


async def _by_key(
    session: AsyncSession, dim: str, prefix: str | None, days: tuple[date, date], medians: bool
) -> list[dict[str, Any]]:
    first, last = days
    query = select(daily_counts.c.key, *_sums()).where(_in_range(dim, first, last))
    if prefix is not None:  # "371402|" … "371402}" ('}' follows '|'): one range of the key
        query = query.where(daily_counts.c.key >= prefix, daily_counts.c.key < prefix[:-1] + "}")
    rows = (await session.execute(query.group_by(daily_counts.c.key))).all()
    found = {row[0]: as_dict(row[1:]) for row in rows if any(row[1:])}
    span = blocks(first, last)
    middles = await _medians(session, dim, dict.fromkeys(found, span)) if medians else {}
    return [
        empty(_short(key, prefix)) | values | middles.get(key, {})
        for key, values in sorted(found.items())
    ]


def _short(key: str, prefix: str | None) -> str:
    return key[len(prefix) :] if prefix else key


async def _by_period(
    session: AsyncSession,
    dim: str,
    key: str,
    period: Period,
    days: tuple[date, date],
    medians: bool,
) -> list[dict[str, Any]]:
    first, last = days
    c = daily_counts.c
    query = select(c.day, *_sums()).where(_in_range(dim, first, last), c.key == key)
    groups: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
    for row in (await session.execute(query.group_by(c.day))).all():
        slot = groups[period_key(row[0], period)]
        for i, value in enumerate(row[1:]):
            slot[i] += int(value or 0)
    spans = {p: blocks(a, b) for p, a, b in period_spans(first, last, period) if p in groups}
    middles = await _medians(session, dim, spans, key=key) if medians else {}
    return [
        empty(p) | as_dict(values) | middles.get(p, {})
        for p, values in sorted(groups.items())
        if any(values)
    ]


async def _medians(
    session: AsyncSession,
    dim: str,
    spans: dict[str, list[Block]],
    key: str | None = None,
) -> dict[str, dict[str, float | None]]:
    """Median days to accept and to close per group, from the histograms of its blocks.

    With `key`, groups are periods of that one key (their blocks are disjoint); otherwise
    groups are keys, all over the same blocks. The database sums the histograms and finds the
    middle: it hands back two numbers of days per group and kind, not the histograms."""
    if not spans:
        return {}
    found: dict[tuple[str, str], float] = {}
    for name, kind, low, high in (await session.execute(_median_query(dim, spans, key))).all():
        found[(name, kind)] = round((low + high) / 2, 2)
    return {
        name: {
            "median_days_to_accept": found.get((name, "accept")),
            "median_days_to_close": found.get((name, "close")),
        }
        for name in spans
    }


def _median_query(dim: str, spans: dict[str, list[Block]], key: str | None) -> Any:
    """(group, kind, lower middle, upper middle): the middle ranks' days, as statistics.median
    takes them, from running totals over the summed histogram."""
    return _middle_of(_histogram_rows(dim, spans, key))


def _middle_of(rows: Any) -> Any:
    """(group, kind, lower middle, upper middle) over histogram rows (grp, kind, bucket, n)."""
    summed = (
        select(rows.c.grp, rows.c.kind, rows.c.bucket, func.sum(rows.c.n).label("n"))
        .group_by(rows.c.grp, rows.c.kind, rows.c.bucket)
        .subquery()
    )
    within = (summed.c.grp, summed.c.kind)
    running = select(
        summed.c.grp,
        summed.c.kind,
        summed.c.bucket,
        cast(
            func.sum(summed.c.n).over(partition_by=within, order_by=summed.c.bucket), BigInteger
        ).label("upto"),
        cast(func.sum(summed.c.n).over(partition_by=within), BigInteger).label("total"),
    ).subquery()
    low = case((running.c.upto > (running.c.total - 1) // 2, running.c.bucket))
    high = case((running.c.upto > running.c.total // 2, running.c.bucket))
    return (
        select(running.c.grp, running.c.kind, func.min(low), func.min(high))
        .where(running.c.total > 0)
        .group_by(running.c.grp, running.c.kind)
    )


def _histogram_rows(dim: str, spans: dict[str, list[Block]], key: str | None) -> Any:
    """The histogram rows of the groups' blocks, each with its group: one plain select per
    level glued with UNION ALL, so PostgreSQL reads each from its key index alone (an OR of
    ranges would make it visit the table, row by row)."""
    h = latency_hist.c
    if key is None:  # groups are keys over one span
        grp: Any = h.key
        wanted, keys = next(iter(spans.values())), list(spans)
    else:  # groups are periods of one key; a block's start tells its period
        owner = {block: name for name, span in spans.items() for block in span}
        wanted, keys = list(owner), [key]
        grp = case({start: name for (_, start), name in owner.items()}, value=h.start)
    return _histogram_union(dim, grp, keys, wanted)


def _histogram_union(dim: str, grp: Any, keys: list[str], wanted: list[Block]) -> Any:
    """The histogram rows of `keys` in the `wanted` blocks, each labelled by `grp`."""
    h = latency_hist.c
    parts = []
    for level in LEVELS:
        starts = sorted(start for lvl, start in wanted if lvl == level)
        if starts:
            part = select(grp.label("grp"), h.kind, h.bucket, h.n).where(h.dim == dim)
            parts.append(part.where(h.level == level, h.start.in_(starts), h.key.in_(keys)))
    return union_all(*parts).subquery()


# Stats over a set of handling units (a caller who may not see the whole city, issue 15.17):
# read from the per-unit dimensions only, so nothing outside the units is ever summed in. Each
# group_by maps to the dimension that carries the handling unit, and how a key splits into
# (unit, group). Channels are not kept per unit, so they cannot be scoped (the route answers 403).
SCOPED = {
    "unit": ("unit", lambda key: (key, key)),
    "county": ("county_unit", lambda key: (key.partition("|")[2], key.partition("|")[0])),
    "problem": ("unit_problem", lambda key: (key.partition("|")[0], key.partition("|")[2])),
}


async def scoped_stats(
    session: AsyncSession,
    group_by: GroupBy,
    period: Period,
    date_from: date | None,
    date_to: date | None,
    units: frozenset[str],
    medians: bool = True,
) -> dict[str, Any]:
    """As `stats`, counting only cases handled by `units` (and their reports); group medians are
    those of the groups' summed histograms, as the city-wide ones."""
    first, last = await bounds(session, date_from, date_to)
    mine = sorted(units)
    if first is None or last is None or first > last or not mine:
        return {"groups": [], "totals": empty("total")}
    span = blocks(first, last)
    totals = empty("total") | await _summed(session, "unit", mine, first, last)
    totals |= (await _merged_medians(session, "unit", {"total": mine}, span)).get("total", {})
    if group_by == "period":
        groups = await _scoped_periods(session, mine, period, (first, last), medians)
        return {"groups": groups, "totals": totals}
    dim, split = SCOPED[group_by]
    c = daily_counts.c
    query = select(c.key, *_sums()).where(_in_range(dim, first, last)).group_by(c.key)
    members: dict[str, list[str]] = defaultdict(list)
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
    for row in (await session.execute(query)).all():
        unit, group = split(row[0])
        if unit in units and any(row[1:]):
            members[group].append(row[0])
            slot = sums[group]
            for i, value in enumerate(row[1:]):
                slot[i] += int(value or 0)
    middles = await _merged_medians(session, dim, members, span) if medians else {}
    groups = [
        empty(group) | as_dict(sums[group]) | middles.get(group, {}) for group in sorted(sums)
    ]
    return {"groups": groups, "totals": totals}


async def _summed(
    session: AsyncSession, dim: str, keys: list[str], first: date, last: date
) -> dict[str, int]:
    query = select(*_sums()).where(_in_range(dim, first, last), daily_counts.c.key.in_(keys))
    row = (await session.execute(query)).one()
    return {f: int(row[i] or 0) for i, f in enumerate(COUNT_FIELDS)}


async def _scoped_periods(
    session: AsyncSession, units: list[str], period: Period, days: tuple[date, date], medians: bool
) -> list[dict[str, Any]]:
    first, last = days
    c = daily_counts.c
    query = select(c.day, *_sums()).where(_in_range("unit", first, last), c.key.in_(units))
    groups: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
    for row in (await session.execute(query.group_by(c.day))).all():
        slot = groups[period_key(row[0], period)]
        for i, value in enumerate(row[1:]):
            slot[i] += int(value or 0)
    middles: dict[str, dict[str, float | None]] = {}
    if medians and groups:
        spans = {p: blocks(a, b) for p, a, b in period_spans(first, last, period) if p in groups}
        owner = {block: name for name, span in spans.items() for block in span}
        grp = case({start: name for (_, start), name in owner.items()}, value=latency_hist.c.start)
        middles = await _medians_of(session, _histogram_union("unit", grp, units, list(owner)))
        middles = {p: middles.get(p, _no_medians()) for p in spans}
    return [
        empty(p) | as_dict(values) | middles.get(p, {})
        for p, values in sorted(groups.items())
        if any(values)
    ]


async def _merged_medians(
    session: AsyncSession, dim: str, members: dict[str, list[str]], span: list[Block]
) -> dict[str, dict[str, float | None]]:
    """Medians per group of keys, each from the summed histograms of its keys over `span`."""
    owner = {key: group for group, keys in members.items() for key in keys}
    if not owner:
        return {}
    grp = case(owner, value=latency_hist.c.key)
    found = await _medians_of(session, _histogram_union(dim, grp, sorted(owner), span))
    return {group: found.get(group, _no_medians()) for group in members}


def _no_medians() -> dict[str, float | None]:
    return {"median_days_to_accept": None, "median_days_to_close": None}


async def _medians_of(session: AsyncSession, rows: Any) -> dict[str, dict[str, float | None]]:
    found: dict[str, dict[str, float | None]] = defaultdict(_no_medians)
    for name, kind, low, high in (await session.execute(_middle_of(rows))).all():
        found[name][f"median_days_to_{kind}"] = round((low + high) / 2, 2)
    return found
