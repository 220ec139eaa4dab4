"""Cases' HTTP API: the cases a caller may see, filtered, newest first, a page at a time;
every list read is audited with its filters and the cases it showed."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select

from services.cases import views
from services.cases.audit import trail
from services.cases.context import Ctx
from services.cases.models import cases
from services.cases.scope import CASE_READERS, HANDLERS, case_filter
from shared.auth import Caller, Principal, require_role
from shared.deadlines import TZ, end_of_day
from shared.errors import Refusal
from shared.http_params import INT_MAX, IsoDate

router = APIRouter(prefix="/api/v1", tags=["cases"])


LIST_FIELDS = (
    "id", "status", "version", "county", "problem", "handling_unit", "lead_unit",
    "rectifying_unit", "channel", "finding", "transfer_to", "triage", "overdue", "exposed",
    "raised_supervision", "received_at", "updated_at",
)  # fmt: skip


def _text_match(caller: Principal, q: str) -> ColumnElement[bool]:
    # The report text is searched only where the caller may read it (not a rectifier's rows).
    found = or_(cases.c.id == q, cases.c.content.contains(q))
    if caller.role in HANDLERS:
        mine = or_(cases.c.handling_unit == caller.unit, cases.c.lead_unit == caller.unit)
        return or_(cases.c.id == q, and_(mine, cases.c.content.contains(q)))
    return found if caller.role in CASE_READERS else false()


def _filtered(query: Select[Any], caller: Principal, **given: Any) -> Select[Any]:
    checks = {
        "status": lambda v: cases.c.status == v,
        "county": lambda v: cases.c.county == v,
        "unit": lambda v: cases.c.handling_unit == v,
        "problem": lambda v: cases.c.problem == v,
        "overdue": lambda v: cases.c.overdue.is_(v),
        "raised_supervision": lambda v: cases.c.raised_supervision.is_(v),
        # Dates are days in Asia/Shanghai, on the report's receipt.
        "date_from": lambda v: cases.c.received_at >= datetime.combine(v, datetime.min.time(), TZ),
        "date_to": lambda v: cases.c.received_at <= end_of_day(v),
        "q": lambda v: _text_match(caller, v),
    }
    for name, value in given.items():
        if value is not None:
            query = query.where(checks[name](value))
    return query


def _cursor(row: Any) -> str:
    raw = f"{row['received_at'].isoformat()}|{row['id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after(cursor: str) -> ColumnElement[bool]:
    try:
        at_text, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise Refusal.invalid(("query", "cursor"), "翻页游标无效", "bad cursor") from None
    return or_(cases.c.received_at < at, and_(cases.c.received_at == at, cases.c.id < case_id))


@router.get("/cases")
async def list_cases(
    ctx: Ctx,
    caller: Caller,
    status: str | None = None,
    county: str | None = None,
    unit: str | None = None,
    problem: Annotated[int | None, Query(ge=0, le=INT_MAX)] = None,
    overdue: bool | None = None,
    # 提级督办 (issue 26): the cases raised to the city office's supervision.
    raised_supervision: bool | None = None,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Cases the caller may see, newest first; `next` is the cursor of the following page."""
    require_role(caller, *CASE_READERS)
    base = select(*[cases.c[name] for name in LIST_FIELDS])
    base = base.where(case_filter(ctx.directory, caller))
    filters = dict(
        status=status, county=county, unit=unit, problem=problem, overdue=overdue,
        raised_supervision=raised_supervision, date_from=date_from, date_to=date_to, q=q,
    )  # fmt: skip
    base = _filtered(base, caller, **filters)
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        page = base.order_by(cases.c.received_at.desc(), cases.c.id.desc()).limit(limit + 1)
        if cursor:
            page = page.where(_after(cursor))
        rows = (await session.execute(page)).mappings().all()
        # Who searched for what and which cases it showed (the search text is the caller's
        # own words about cases, kept like a note; the cases' content is not).
        shown = [row["id"] for row in rows[:limit]]
        asked = {k: str(v) for k, v in filters.items() if v is not None}
        detail = {"filters": asked, "cursor": cursor, "total": total, "shown": shown}
        await trail.record(ctx, session, caller, "list", None, detail)
    items = [{k: views.plain(v) for k, v in row.items()} for row in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "total": total, "next": _cursor(rows[limit - 1]) if more else None}
