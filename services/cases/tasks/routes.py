"""The tasks' HTTP API: the plan's measures, the tasks a caller may see (with their progress
reports), assignment, 举一反三 follow-ups, and the report / accept / send-back actions."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import ColumnElement, String, cast, false, func, or_, select, true

from services.cases import scope
from services.cases.context import Context, Ctx
from services.cases.tasks import work
from services.cases.tasks.bodies import AssignBody, FollowUpBody, ReportBody, SendBackBody
from services.cases.tasks.measures import load_measures
from services.cases.tasks.tables import task_reports, tasks
from shared.auth import Caller, Principal, require_role

router = APIRouter(prefix="/api/v1", tags=["tasks"])
READERS = ("officer", "leader", "supervisor", "city_office", "inspector", "auditor")


def roles(*allowed: str) -> Any:
    """403 for other roles before the body is read (its validation tells them nothing)."""

    async def gate(caller: Caller) -> None:
        require_role(caller, *allowed)

    return [Depends(gate)]


def on_task(*allowed: str) -> Any:
    """Scope (404) then role (403), before the body is read, as a case action's gate."""

    async def gate(task_id: str, ctx: Ctx, caller: Caller) -> None:
        async with ctx.db.sessions() as session:
            row = (await session.execute(select(tasks).where(tasks.c.id == task_id))).first()
        if row is None or not work.visible(ctx, caller, row._mapping):
            raise work.no_such_task()
        require_role(caller, *allowed)

    return [Depends(gate)]


ASSIGNERS = roles("city_office")
FOLLOWERS = roles("officer", "leader", "supervisor", "city_office")
REPORTERS = on_task("officer", "leader")
REVIEWERS = on_task("officer", "leader", "city_office")


@router.get("/measures")
async def list_measures(ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """The plan's measures with their 牵头单位 and 责任单位 (as units of the directory)."""
    require_role(caller, *READERS)
    items = [
        {
            **m.model_dump(include={"id", "title", "title_en", "text"}),
            "lead_units": list(m.lead),
            "responsible_units": list(m.responsible_units(ctx.directory)),
        }
        for m in load_measures().measures
    ]
    return {"items": items, "total": len(items), "next": None}


def _scope(ctx: Context, caller: Principal) -> ColumnElement[bool]:
    """SQL of `work.visible`."""
    units = scope.overseen(ctx.directory, caller)
    if units is None:
        return true()
    if caller.role not in READERS:
        return false()
    leads = cast(tasks.c.lead_units, String)
    return or_(
        tasks.c.responsible_unit.in_(units),
        tasks.c.escalated_to.in_(units),
        *[leads.contains(json.dumps(u), autoescape=True) for u in sorted(units)],
    )


@router.get("/tasks")
async def list_tasks(
    ctx: Ctx,
    caller: Caller,
    measure: Annotated[str | None, Query(max_length=4)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    task_status: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,6}$")] = None,
) -> dict[str, Any]:
    """Tasks the caller may see, by due date; filters `measure`, `unit` (responsible),
    `status`, `overdue`."""
    require_role(caller, *READERS)
    offset = int(cursor or 0)
    query = select(tasks).where(_scope(ctx, caller))
    for column, value in (
        (tasks.c.measure, measure), (tasks.c.responsible_unit, unit),
        (tasks.c.status, task_status), (tasks.c.overdue, overdue),
    ):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        page = query.order_by(tasks.c.due, tasks.c.id).offset(offset).limit(limit)
        rows = (await session.execute(page)).mappings().all()
    more = offset + len(rows) < (total or 0)
    following = str(offset + limit) if more else None
    return {"items": [_view(r) for r in rows], "total": total, "next": following}


@router.get("/tasks/{task_id}")
async def task_detail(task_id: str, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """One task with its progress reports and the lead unit's decisions (404 outside scope)."""
    return await _detail(ctx, caller, task_id)


@router.post("/tasks", status_code=status.HTTP_201_CREATED, dependencies=ASSIGNERS)
async def assign_tasks(body: AssignBody, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """The city office assigns a measure's task to its responsible units (or a sub-task)."""
    ids = await work.assign(ctx, caller, body.model_dump())
    return {"ids": ids}


@router.post("/tasks/follow-up", status_code=status.HTTP_201_CREATED, dependencies=FOLLOWERS)
async def follow_up(body: FollowUpBody, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """举一反三: a 制度建设 task after a concluded, substantiated case."""
    task_id = await work.follow_up(ctx, caller, body.model_dump())
    return await _detail(ctx, caller, task_id)


@router.post("/tasks/{task_id}/report", dependencies=REPORTERS)
async def report_progress(
    task_id: str, body: ReportBody, ctx: Ctx, caller: Caller
) -> dict[str, Any]:
    """The responsible unit reports progress (text, figures, attachments)."""
    await work.act(ctx, caller, task_id, "report", body.model_dump())
    return await _detail(ctx, caller, task_id)


@router.post("/tasks/{task_id}/accept", dependencies=REVIEWERS)
async def accept_report(task_id: str, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """A lead unit (or the city office) accepts the latest progress report."""
    await work.act(ctx, caller, task_id, "accept", {})
    return await _detail(ctx, caller, task_id)


@router.post("/tasks/{task_id}/send-back", dependencies=REVIEWERS)
async def send_back(task_id: str, body: SendBackBody, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """A lead unit (or the city office) sends the latest progress report back, with a reason."""
    await work.act(ctx, caller, task_id, "send-back", body.model_dump())
    return await _detail(ctx, caller, task_id)


async def _detail(ctx: Context, caller: Principal, task_id: str) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        row = (await session.execute(select(tasks).where(tasks.c.id == task_id))).mappings().first()
        if row is None or not work.visible(ctx, caller, row):
            raise work.no_such_task()
        query = select(task_reports).where(task_reports.c.task_id == task_id)
        reports = (await session.execute(query.order_by(task_reports.c.report_no))).mappings()
        return {**_view(row), "reports": [_plain(r) for r in reports]}


def _view(row: Any) -> dict[str, Any]:
    return _plain({k: v for k, v in row.items() if k != "clock"} | {"deadline": row["clock"]})


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(row).items()}
