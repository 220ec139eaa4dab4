"""Open311 GeoReport v2 under `/open311/v2/`: services are the problem list, `jurisdiction_id`
is the county, `service_code` the problem number, `service_request_id` the report id.

GET never shows report text, accused names or the reporter: the request list holds only
exposed (verified) cases, described by their approved public text; one request shows its
status, service code and dates only. Errors keep GeoReport's shape, `[{code, description}]`.
JSON only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.intake import exposures
from services.intake.context import Ctx
from services.intake.open311.answers import error
from services.intake.open311.requests import dates, exposed, one_request, open_closed, split_format
from services.intake.open311.submit import submit_request
from services.intake.routes.throttle import limit
from shared.errors import wants_english

router = APIRouter(prefix="/open311/v2", tags=["open311"])


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
    code, json_ok = split_format(service_code)
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
        start, end = dates(start_date, end_date, ctx.clock())
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
    english = wants_english(request)
    return [exposed(ctx, row, english) for row in rows if open_closed(row.case_status) in wanted]


@router.get("/requests/{request_id}")
async def get_request(request: Request, request_id: str, ctx: Ctx) -> Any:
    """One report by id: status, service code, requested and updated datetimes only."""
    limit(ctx, request, ctx.limiters.lookups)
    report_id, json_ok = split_format(request_id)
    if not json_ok:
        return error(400, "only JSON is served")
    found = await one_request(ctx, report_id)
    if found is None:
        return error(404, f"service_request_id {report_id} not found")
    return [found]
