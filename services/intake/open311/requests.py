"""Open311 GET requests: GeoReport's request records, of exposed (verified) cases by their
approved public text, or of reports asked for by id (status, service code and dates only
unless exposed). `requests?service_request_id=` and `requests/{id}` answer from the same
function, so the list and the single request always agree."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.intake import exposures
from services.intake.context import Context
from services.intake.models import reports

CLOSED = ("closed", "rejected")
STATUSES = ("open", "closed")  # GeoReport's only two
DEFAULT_DAYS = 90  # GeoReport: without dates, the last 90 days
MAX_IDS = 100  # ids one list request may name: each is a lookup
# Report ids are UUIDs: anything else names no report (and a NUL would upset PostgreSQL).
REPORT_ID = re.compile(r"[0-9a-fA-F-]{1,36}")


def split_format(name: str) -> tuple[str, str | None]:
    """`x` or `x.json` → (x, "json"); `x.xml` → (x, "xml"); another extension → (x, None)."""
    stem, _, ext = name.partition(".")
    return stem, {"": "json", "json": "json", "xml": "xml"}.get(ext)


def statuses(asked: str | None) -> set[str]:
    """The statuses a list asks for (all without `status`); ValueError for an unknown one."""
    if not asked:
        return set(STATUSES)
    wanted = {s.strip() for s in asked.split(",")}
    unknown = sorted(wanted - set(STATUSES))
    if unknown:
        raise ValueError(f"status must be open or closed, not {', '.join(unknown)}")
    return wanted


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


async def by_ids(ctx: Context, ids: list[str], english: bool) -> list[dict[str, Any]]:
    """The reports named, in the order asked, unknown ids left out: an exposed one with its
    public text, any other with its status, service code and dates only (never its text)."""
    ids = [i for i in ids if REPORT_ID.fullmatch(i)]
    if not ids:
        return []
    async with ctx.db.sessions() as session:
        shown = {
            row.report_id: exposed(ctx, row, english)
            for row in await exposures.listed(session, ids=ids)
        }
        query = select(
            reports.c.id,
            reports.c.case_status,
            reports.c.problem,
            reports.c.category_hint,
            reports.c.created_at,
            reports.c.updated_at,
        ).where(reports.c.id.in_([i for i in ids if i not in shown]))
        for row in (await session.execute(query)).all():
            shown[row.id] = _bare(row)
    return [shown[i] for i in dict.fromkeys(ids) if i in shown]


def _bare(row: Any) -> dict[str, Any]:
    code = row.problem if row.problem is not None else row.category_hint
    return {
        "service_request_id": row.id,
        "status": open_closed(row.case_status),
        "service_code": str(code) if code is not None else None,
        "requested_datetime": row.created_at.isoformat(),
        "updated_datetime": row.updated_at.isoformat(),
    }
