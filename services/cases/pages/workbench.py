"""The workbench's query: the caller's cases (the JSON list's scope and filters), the live
deadline that falls first sorting them, counts per status, a page at a time; audited as the
JSON list is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from services.cases.audit import trail
from services.cases.context import Context
from services.cases.models import cases, deadlines
from services.cases.pages.marks import LIVE, mark
from services.cases.routes.case_list import _filtered
from services.cases.scope import case_filter
from services.cases.store import load_clocks
from shared.auth import Principal

PER_PAGE = 20
SHOWN = ("id", "status", "county", "problem", "handling_unit", "channel", "received_at")


@dataclass
class Filters:
    status: str | None = None
    problem: int | None = None
    county: str | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # a page's own fixed conditions

    def given(self) -> dict[str, str]:
        named = {k: v for k, v in vars(self).items() if k != "extra" and v not in (None, "")}
        return {k: str(v) for k, v in named.items()}


def _scoped(ctx: Context, caller: Principal, filters: Filters, with_status: bool = True) -> Any:
    base = select(*[cases.c[n] for n in SHOWN]).where(case_filter(ctx.directory, caller))
    status = filters.status if with_status else None
    base = _filtered(
        base, caller, status=status, county=filters.county, problem=filters.problem,
        date_from=filters.date_from, date_to=filters.date_to, q=filters.q,
    )  # fmt: skip
    if filters.channel:
        base = base.where(cases.c.channel == filters.channel)
    for condition in filters.extra.values():
        base = base.where(condition)
    return base


def _next_due() -> Any:
    live = (deadlines.c.case_id == cases.c.id) & deadlines.c.state.in_(LIVE)
    return select(func.min(deadlines.c.due)).where(live).scalar_subquery()


async def listing(
    ctx: Context,
    caller: Principal,
    filters: Filters,
    page: int,
    english: bool,
    what: str = "workbench",
) -> dict[str, Any]:
    """One page of the caller's cases, soonest deadline first, with marks and counts."""
    base = _scoped(ctx, caller, filters)
    due = _next_due()
    ordered = base.add_columns(due.label("next_due")).order_by(
        due.is_(None), due, cases.c.received_at.desc(), cases.c.id
    )
    counted = _scoped(ctx, caller, filters, with_status=False).subquery()
    by_status = select(counted.c.status, func.count()).group_by(counted.c.status)
    async with ctx.db.sessions() as session:
        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        window = ordered.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        rows = [dict(r) for r in (await session.execute(window)).mappings().all()]
        counts = {s: n for s, n in (await session.execute(by_status)).all()}
        for row in rows:
            clocks = list((await load_clocks(session, row["id"])).values())
            soonest = min((c for c in clocks if c.state in LIVE), key=lambda c: c.due, default=None)
            row["deadline"] = soonest
            row["mark"] = mark(soonest, ctx.now(), ctx.profile(row["channel"]), english)
        detail = {"view": what, "filters": filters.given(), "page": page, "total": total}
        detail["shown"] = [row["id"] for row in rows]
        # Recorded as the JSON list's reads are ("list"), naming the page it was.
        await trail.record(ctx, session, caller, "list", None, detail)
    pages = max(1, -(-total // PER_PAGE))
    return {"rows": rows, "total": total, "counts": counts, "page": page, "pages": pages}
