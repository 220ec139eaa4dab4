"""Query parameters shared by the JSON routes, the exports and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Query, Request

from services.reporting.context import Ctx
from services.reporting.phases import Phases, date_range
from services.reporting.stats.common import GroupBy, Period
from services.reporting.words.names import Names
from shared.errors import Refusal, wants_english
from shared.http_params import IsoDate

DateFrom = Annotated[IsoDate | None, Query(alias="from", description="first day of receipt")]
DateTo = Annotated[IsoDate | None, Query(alias="to", description="last day of receipt")]
PhaseId = Annotated[str | None, Query(description="a configured phase (GET /api/v1/phases)")]
Limit = Annotated[int, Query(ge=1, le=500)]
# An offset as ASCII digits, said in the document: "²" passed `str.isdigit` and then failed
# `int` (a 500), and fuzzers now generate only cursors the route can read.
Cursor = Annotated[
    str | None, Query(pattern=r"^[0-9]{1,9}$", description="`next` of the previous page")
]


@dataclass(frozen=True)
class Range:
    first: date | None
    last: date | None


def resolve_range(
    phases: Phases, phase: str | None, first: date | None, last: date | None
) -> Range:
    """The days a request covers: its phase narrowed by from/to."""
    chosen = None
    if phase:
        chosen = phases.get(phase)
        if chosen is None:
            known = ", ".join(p.id for p in phases.phases)
            raise Refusal.invalid(
                ("query", "phase"), f"未知的阶段（可选：{known}）", f"unknown phase ({known})"
            )
    if first is not None and last is not None and first > last:
        raise Refusal.invalid(("query", "to"), "结束日期早于开始日期", "'to' is before 'from'")
    return Range(*date_range(chosen, first, last))


async def date_range_of(
    ctx: Ctx, date_from: DateFrom = None, date_to: DateTo = None, phase: PhaseId = None
) -> Range:
    # async like every dependency: FastAPI runs a plain `def` one in its thread pool.
    return resolve_range(ctx.phases, phase, date_from, date_to)


@dataclass(frozen=True)
class StatsParams:
    group_by: GroupBy
    period: Period
    range: Range


async def stats_params(
    ctx: Ctx,
    group_by: GroupBy = "county",
    period: Period = "day",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    phase: PhaseId = None,
) -> StatsParams:
    return StatsParams(group_by, period, resolve_range(ctx.phases, phase, date_from, date_to))


def offset_of(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not (cursor.isascii() and cursor.isdigit()):  # the Query pattern's, for direct callers
        raise Refusal.invalid(("query", "cursor"), "无效的游标", "invalid cursor")
    return int(cursor)


def next_cursor(offset: int, count: int, total: int) -> str | None:
    return str(offset + count) if offset + count < total else None


def names_for(request: Request, ctx: Ctx) -> Names:
    """Names in the language asked for: `Accept-Language: en` or `?lang=en` (the pages)."""
    return ctx.names(wants_english(request) or request.query_params.get("lang") == "en")
