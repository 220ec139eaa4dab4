"""The register's HTTP API: a unit registers a data request or check aimed at a village (201,
or 409 citing the plan's rule when it is refused, recorded all the same); the register as the
caller may see it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, func, select

from services.cases import scope
from services.cases.context import Context, Ctx
from services.cases.datarequests import work
from services.cases.datarequests.tables import data_requests
from services.cases.tasks.routes import READERS, roles
from shared.auth import Caller, Principal, require_role
from shared.errors import Refusal

router = APIRouter(prefix="/api/v1", tags=["data requests"])
REQUESTERS = ("officer", "leader", "supervisor", "city_office")


class DataRequestBody(BaseModel):
    """A data request (`registration`: the poverty registration data; `other_data`) or a check
    (`check`, with its kind: 督查, 考核, 评估, 审计 …) aimed at one village."""

    model_config = ConfigDict(extra="forbid")
    county: Annotated[str, Field(pattern=r"^\d{6}$")]
    township: Annotated[str, Field(max_length=64)] | None = None
    village: Annotated[str, Field(min_length=2, max_length=50)]
    kind: Literal["registration", "other_data", "check"]
    check_kind: Annotated[str, Field(min_length=2, max_length=20)] | None = None
    title: Annotated[str, Field(min_length=2, max_length=200)]

    @model_validator(mode="after")
    def _check_has_kind(self) -> DataRequestBody:
        if (self.kind == "check") != (self.check_kind is not None):
            raise ValueError(
                "检查须写明类别（check_kind），其他请求不写 | check_kind is for checks"
            )
        return self


@router.post("/data-requests", status_code=status.HTTP_201_CREATED, dependencies=roles(*REQUESTERS))
async def register_request(body: DataRequestBody, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """Register a request or check aimed at a village; refused (409, the rule cited) when the
    plan forbids it, flagged when it repeats a check of the same kind within the year."""
    if body.county not in {code for code, _ in ctx.directory.counties()}:
        raise Refusal.invalid(("body", "county"), "没有该县市区", "no such county")
    row = await work.register(ctx, caller, body.model_dump())
    if row["outcome"] == "refused":
        zh = f"不予登记（已记录，编号 {row['id']}）：{row['rule']}"
        raise Refusal.conflict(zh, f"refused (recorded as {row['id']}): {row['rule_en']}")
    return _view(row)


def _scope(ctx: Context, caller: Principal) -> ColumnElement[bool]:
    """The city office and auditors see the whole register; a unit its own requests, a
    supervisor those of the units it supervises too."""
    return scope.register_filter(ctx.directory, caller, READERS, data_requests.c.requesting_unit)


@router.get("/data-requests")
async def list_requests(
    ctx: Ctx,
    caller: Caller,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    outcome: Literal["registered", "flagged", "refused"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,6}$")] = None,
) -> dict[str, Any]:
    """The register as the caller may see it, newest first; filters `county`, `outcome`."""
    require_role(caller, *READERS)
    query = select(data_requests).where(_scope(ctx, caller))
    if county is not None:
        query = query.where(data_requests.c.county == county)
    if outcome is not None:
        query = query.where(data_requests.c.outcome == outcome)
    offset = int(cursor or 0)
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        order = (data_requests.c.requested_at.desc(), data_requests.c.id)
        page = query.order_by(*order).offset(offset).limit(limit)
        rows = (await session.execute(page)).mappings().all()
    following = str(offset + limit) if offset + len(rows) < (total or 0) else None
    return {"items": [_view(r) for r in rows], "total": total, "next": following}


def _view(row: Any) -> dict[str, Any]:
    hidden = ("village_key", "rule_en")
    out = {k: v for k, v in dict(row).items() if k not in hidden}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in out.items()}
