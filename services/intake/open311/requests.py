"""Open311 GET requests: GeoReport's request records, of exposed (verified) cases by their
approved public text, or of one report by id (status, service code and dates only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.intake.context import Context
from services.intake.models import reports

CLOSED = ("closed", "rejected")
DEFAULT_DAYS = 90  # GeoReport: without dates, the last 90 days


def split_format(name: str) -> tuple[str, bool]:
    """`x.json` or `x` → (x, True); `x.xml` → (x, False): only JSON is served."""
    stem, _, ext = name.partition(".")
    return stem, ext in ("", "json")


def open_closed(case_status: str | None) -> str:
    return "closed" if case_status in CLOSED else "open"


def dates(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime | None]:
    try:
        begin = _aware(datetime.fromisoformat(start)) if start else None
        until = _aware(datetime.fromisoformat(end)) if end else None
    except ValueError as exc:
        raise ValueError("start_date and end_date must be W3C datetimes") from exc
    if begin is None:
        begin = (until or now) - timedelta(days=DEFAULT_DAYS)
    return begin, until


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def exposed(ctx: Context, row: Any, english: bool) -> dict[str, Any]:
    """An exposed case as a GeoReport request."""
    return {
        "service_request_id": row.report_id,
        "status": open_closed(row.case_status),
        "service_code": str(row.problem) if row.problem is not None else None,
        "service_name": _service_name(ctx, row.problem, english),
        "description": row.exposure_text,
        "requested_datetime": row.requested_at.isoformat(),
        "updated_datetime": row.updated_at.isoformat(),
    }


def _service_name(ctx: Context, code: int | None, english: bool) -> str | None:
    taxonomy = ctx.taxonomy
    if code is None or code not in taxonomy:
        return None
    problem = taxonomy.problem(code)
    return problem.title_en if english else problem.title


async def one_request(ctx: Context, report_id: str) -> dict[str, Any] | None:
    """One report as a GeoReport request; None for an unknown id."""
    async with ctx.db.sessions() as session:
        query = select(
            reports.c.id,
            reports.c.case_status,
            reports.c.problem,
            reports.c.category_hint,
            reports.c.created_at,
            reports.c.updated_at,
        ).where(reports.c.id == report_id)
        row = (await session.execute(query)).first()
    if row is None:
        return None
    code = row.problem if row.problem is not None else row.category_hint
    return {
        "service_request_id": row.id,
        "status": open_closed(row.case_status),
        "service_code": str(code) if code is not None else None,
        "requested_datetime": row.created_at.isoformat(),
        "updated_datetime": row.updated_at.isoformat(),
    }
