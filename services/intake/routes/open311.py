"""Open311 GeoReport v2 under `/open311/v2/`: services are the problem list, `jurisdiction_id`
is the county, `service_code` the problem number, `service_request_id` the report id.

GET never shows report text, accused names or the reporter: the request list holds only
exposed (verified) cases, described by their approved public text; one request shows its
status, service code and dates only. Errors keep GeoReport's shape, `[{code, description}]`.
JSON only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from services.intake import exposures
from services.intake.context import Context, Ctx
from services.intake.models import reports
from services.intake.open311_submit import submit_request
from services.intake.routes.throttle import limit
from shared.errors import wants_english

router = APIRouter(prefix="/open311/v2", tags=["open311"])
CLOSED = ("closed", "rejected")
DEFAULT_DAYS = 90  # GeoReport: without dates, the last 90 days


def error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _format(name: str) -> tuple[str, bool]:
    """`x.json` or `x` → (x, True); `x.xml` → (x, False): only JSON is served."""
    stem, _, ext = name.partition(".")
    return stem, ext in ("", "json")


def _service_name(ctx: Context, request: Request, code: int | None) -> str | None:
    taxonomy = ctx.taxonomy
    if code is None or code not in taxonomy:
        return None
    problem = taxonomy.problem(code)
    return problem.title_en if wants_english(request) else problem.title


def _open_closed(case_status: str | None) -> str:
    return "closed" if case_status in CLOSED else "open"


@router.get("/services.json")
@router.get("/services")
async def services(request: Request, ctx: Ctx, jurisdiction_id: str | None = None) -> Any:
    """The problem list as GeoReport services (no extra attributes)."""
    if jurisdiction_id and jurisdiction_id not in ctx.counties:
        return error(404, f"jurisdiction_id {jurisdiction_id} not found")
    english = wants_english(request)
    return [
        {
            "service_code": str(problem.number),
            "service_name": problem.title_en if english else problem.title,
            "description": problem.title_en if english else problem.text,
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "poverty relief work style" if english else "扶贫领域作风问题",
        }
        for problem in ctx.taxonomy.problems()
    ]


@router.get("/services/{service_code}")
async def service_definition(request: Request, service_code: str, ctx: Ctx) -> Any:
    """No service needs extra attributes; the definition is empty for a known code."""
    code, json_ok = _format(service_code)
    if not json_ok:
        return error(400, "only JSON is served")
    if not code.isdigit() or int(code) not in ctx.taxonomy:
        return error(404, f"service_code {code} not found")
    return {"service_code": code, "attributes": []}


@router.post("/requests.json")
@router.post("/requests")
async def post_request(request: Request, ctx: Ctx) -> Any:
    """Create a report (form-encoded as GeoReport sends it, or JSON): `description` is the
    content; `first_name`/`last_name`/`phone`/`email` make it a named report (sealed)."""
    return await submit_request(ctx, request)


@router.get("/requests.json")
@router.get("/requests")
async def get_requests(
    request: Request,
    ctx: Ctx,
    jurisdiction_id: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    status: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
) -> Any:
    """Exposed (verified) cases only, newest first, at most 1000."""
    limit(ctx, request, ctx.limiters.lookups)
    try:
        start, end = _dates(start_date, end_date, ctx.clock())
    except ValueError as exc:
        return error(400, str(exc))
    if service_code is not None and not service_code.isdigit():
        return error(400, "service_code must be a problem number")
    ids = [i.strip() for i in service_request_id.split(",")] if service_request_id else None
    async with ctx.db.sessions() as session:
        rows = await exposures.listed(
            session,
            county=jurisdiction_id,
            problem=int(service_code) if service_code else None,
            ids=ids,
            start=None if ids else start,
            end=None if ids else end,
        )
    wanted = set(status.split(",")) if status else {"open", "closed"}
    return [_exposed(ctx, request, row) for row in rows if _open_closed(row.case_status) in wanted]


def _dates(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime | None]:
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


def _exposed(ctx: Context, request: Request, row: Any) -> dict[str, Any]:
    return {
        "service_request_id": row.report_id,
        "status": _open_closed(row.case_status),
        "service_code": str(row.problem) if row.problem is not None else None,
        "service_name": _service_name(ctx, request, row.problem),
        "description": row.exposure_text,
        "requested_datetime": row.requested_at.isoformat(),
        "updated_datetime": row.updated_at.isoformat(),
    }


@router.get("/requests/{request_id}")
async def get_request(request: Request, request_id: str, ctx: Ctx) -> Any:
    """One report by id: status, service code, requested and updated datetimes only."""
    limit(ctx, request, ctx.limiters.lookups)
    report_id, json_ok = _format(request_id)
    if not json_ok:
        return error(400, "only JSON is served")
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
        return error(404, f"service_request_id {report_id} not found")
    code = row.problem if row.problem is not None else row.category_hint
    return [
        {
            "service_request_id": row.id,
            "status": _open_closed(row.case_status),
            "service_code": str(code) if code is not None else None,
            "requested_datetime": row.created_at.isoformat(),
            "updated_datetime": row.updated_at.isoformat(),
        }
    ]
