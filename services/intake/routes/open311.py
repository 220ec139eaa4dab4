"""Open311 GeoReport v2 under `/open311/v2/`: services are the problem list, `jurisdiction_id`
is the county, `service_code` the problem number, `service_request_id` the report id. JSON or
XML, as the path's extension asks (`.json` when there is none).

GET never shows report text, accused names, the reporter or coordinates: the request list holds
only exposed (verified) cases, described by their approved public text; asked by id (in the list
or one by one, which agree), any report shows its status, service code and dates, plus the
public text once exposed. Errors keep GeoReport's shape, `[{code, description}]` / `<errors>`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.intake import exposures
from services.intake.context import Ctx
from services.intake.open311 import discovery
from services.intake.open311.answers import answer, error, wants_xml
from services.intake.open311.requests import (
    MAX_IDS,
    by_ids,
    dates,
    exposed,
    open_closed,
    split_format,
    statuses,
)
from services.intake.open311.submit import submit_request
from services.intake.routes.throttle import limit
from shared.errors import wants_english

router = APIRouter(prefix="/open311/v2", tags=["open311"])


@router.get("/discovery.json")
@router.get("/discovery.xml")
async def service_discovery(request: Request) -> Any:
    """GeoReport's service discovery: the endpoint, its formats, keys and the privacy rule."""
    base = str(request.base_url).rstrip("/") + router.prefix
    document = discovery.document(base, wants_english(request))
    return answer("discovery", document, wants_xml(request))


@router.get("/services.json")
@router.get("/services.xml")
@router.get("/services")
async def services(request: Request, ctx: Ctx, jurisdiction_id: str | None = None) -> Any:
    """The problem list as GeoReport services (no extra attributes)."""
    xml = wants_xml(request)
    if jurisdiction_id and jurisdiction_id not in ctx.counties:
        return error(404, f"jurisdiction_id {jurisdiction_id} not found", xml=xml)
    english = wants_english(request)
    listed = [
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
    return answer("services", listed, xml)


@router.get("/services/{service_code}")
async def service_definition(request: Request, service_code: str, ctx: Ctx) -> Any:
    """No service needs extra attributes; the definition is empty for a known code."""
    code, fmt = split_format(service_code)
    xml = fmt == "xml"
    if fmt is None or not code.isdigit() or int(code) not in ctx.taxonomy:
        return error(404, f"service_code {service_code} not found", xml=xml)
    return answer("service_definition", {"service_code": code, "attributes": []}, xml)


@router.post("/requests.json")
@router.post("/requests.xml")
@router.post("/requests")
async def post_request(request: Request, ctx: Ctx) -> Any:
    """Create a report (form-encoded as GeoReport sends it, or JSON): `description` is the
    content; `lat`/`long`, `address_string` or `address_id` its place (one is required);
    `first_name`/`last_name`/`phone`/`email` make it a named report (sealed); a valid
    `api_key` files it as the key's unit (an invalid one is refused, 403)."""
    return await submit_request(ctx, request, wants_xml(request))


@router.get("/requests.json")
@router.get("/requests.xml")
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
    """Exposed (verified) cases, newest first, at most 1000; with `service_request_id` (which
    overrides the other arguments, as GeoReport says) the reports named, as `requests/{id}`."""
    limit(ctx, request, ctx.limiters.lookups)
    xml, english = wants_xml(request), wants_english(request)
    try:
        wanted = statuses(status)
        start, end = dates(start_date, end_date, ctx.clock())
    except ValueError as exc:
        return error(400, str(exc), xml=xml)
    if service_request_id:
        ids = [i.strip() for i in service_request_id.split(",") if i.strip()]
        if len(ids) > MAX_IDS:
            return error(400, f"at most {MAX_IDS} service_request_id values", xml=xml)
        return answer("service_requests", await by_ids(ctx, ids, english), xml)
    if service_code is not None and not service_code.isdigit():
        return error(400, "service_code must be a problem number", xml=xml)
    async with ctx.db.sessions() as session:
        rows = await exposures.listed(
            session,
            county=jurisdiction_id,
            problem=int(service_code) if service_code else None,
            start=start,
            end=end,
        )
    found = [exposed(ctx, row, english) for row in rows if open_closed(row.case_status) in wanted]
    return answer("service_requests", found, xml)


@router.get("/requests/{request_id}")
async def get_request(request: Request, request_id: str, ctx: Ctx) -> Any:
    """One report by id, as `requests?service_request_id=` gives it: status, service code,
    requested and updated datetimes (and the public text once exposed)."""
    limit(ctx, request, ctx.limiters.lookups)
    report_id, fmt = split_format(request_id)
    found = await by_ids(ctx, [report_id], wants_english(request)) if fmt else []
    if not found:
        return error(404, f"service_request_id {report_id} not found", xml=fmt == "xml")
    return answer("service_requests", found, fmt == "xml")
