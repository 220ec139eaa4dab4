"""Median days to accept and to close, found by the database from the summed histograms of the
groups' blocks."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import latency_hist
from services.reporting.periods import LEVELS, Block
from services.reporting.stats.common import no_medians


async def group_medians(
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
    return histogram_union(dim, grp, keys, wanted)


def histogram_union(dim: str, grp: Any, keys: list[str], wanted: list[Block]) -> Any:
    """The histogram rows of `keys` in the `wanted` blocks, each labelled by `grp`."""
    h = latency_hist.c
    parts = []
    for level in LEVELS:
        starts = sorted(start for lvl, start in wanted if lvl == level)
        if starts:
            part = select(grp.label("grp"), h.kind, h.bucket, h.n).where(h.dim == dim)
            parts.append(part.where(h.level == level, h.start.in_(starts), h.key.in_(keys)))
    return union_all(*parts).subquery()


async def merged_medians(
    session: AsyncSession, dim: str, members: dict[str, list[str]], span: list[Block]
) -> dict[str, dict[str, float | None]]:
    """Medians per group of keys, each from the summed histograms of its keys over `span`."""
    owner = {key: group for group, keys in members.items() for key in keys}
    if not owner:
        return {}
    grp = case(owner, value=latency_hist.c.key)
    found = await medians_of(session, histogram_union(dim, grp, sorted(owner), span))
    return {group: found.get(group, no_medians()) for group in members}


async def medians_of(session: AsyncSession, rows: Any) -> dict[str, dict[str, float | None]]:
    found: dict[str, dict[str, float | None]] = defaultdict(no_medians)
    for name, kind, low, high in (await session.execute(_middle_of(rows))).all():
        found[name][f"median_days_to_{kind}"] = round((low + high) / 2, 2)
    return found
