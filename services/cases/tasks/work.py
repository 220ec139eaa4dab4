"""The task use cases, each one transaction writing the task, its reports and its event:
assignment by the city office (sub-tasks too), a progress report by the responsible unit, the
lead unit's acceptance or sending back, and 举一反三 制度建设 tasks after a concluded case."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import scope, transactions
from services.cases.audit import trail
from services.cases.context import Context
from services.cases.models import cases
from services.cases.scope import relation
from services.cases.tasks import rules
from services.cases.tasks.events import stage
from services.cases.tasks.measures import load_measures
from services.cases.tasks.tables import task_reports, tasks
from services.cases.transactions import Conflict
from shared.auth import Principal
from shared.deadlines import end_of_day
from shared.errors import Refusal

# A case whose finding this is may spawn 制度建设 tasks (举一反三), once it is concluded.
FOLLOWS = ("concluded", "rectifying", "rectification_submitted", "rectified", "closed")


def _invalid(field: str, zh: str, en: str) -> Refusal:
    return Refusal.invalid(("body", field), zh, en)


def no_such_task() -> Refusal:
    return Refusal.not_found("没有该任务", "no such task")


async def assign(ctx: Context, caller: Principal, body: dict[str, Any]) -> list[str]:
    """The city office assigns a measure's task (or a sub-task) to each responsible unit."""
    if caller.role != "city_office":
        zh = "无权执行此操作：仅限市扶贫办"
        raise Refusal.forbidden(zh, "only the city office assigns tasks")

    async def work(session: AsyncSession) -> list[str]:
        parent = await _parent(session, body.get("parent"))
        measure_id = parent["measure"] if parent else body.get("measure")
        measure = load_measures().get(measure_id or "")
        if measure is None:
            raise _invalid("measure", "实施方案中没有该项措施", "no such measure in the plan")
        units = body.get("units") or (
            [parent["responsible_unit"]] if parent else measure.responsible_units(ctx.directory)
        )
        unknown = [u for u in units if u not in ctx.directory]
        if unknown:
            raise _invalid("units", f"目录中没有该单位：{'、'.join(unknown)}", "no such unit")
        common = {"measure": measure.id, "kind": "measure", "lead_units": list(measure.lead)}
        ids = [
            await _create(session, ctx, caller, unit, body, common, parent)
            for unit in dict.fromkeys(units)
        ]
        detail = {"tasks": ids, "measure": measure.id, "parent": parent["id"] if parent else None}
        await trail.record(ctx, session, caller, "task-assign", None, detail)
        return ids

    return await transactions.retrying(ctx, work)


async def follow_up(ctx: Context, caller: Principal, body: dict[str, Any]) -> str:
    """举一反三: a 制度建设 task for the unit a concluded case found at fault (its accused unit,
    else its handling unit), reviewed by the case's handling unit."""

    async def work(session: AsyncSession) -> str:
        row = (await session.execute(select(cases).where(cases.c.id == body["case"]))).mappings()
        found = row.first()
        case = dict(found) if found is not None else None
        if case is None or relation(ctx.directory, caller, case) is None:
            raise _invalid("case", "没有该案件", "no such case")
        mine = caller.role in rules.HANDLERS and caller.unit == case["handling_unit"]
        if not (mine or caller.role in ("city_office", "supervisor")):
            raise Refusal.forbidden(
                "无权执行此操作：仅限办理单位、监督单位或市扶贫办",
                "only the handling unit, its supervisor or the city office",
            )
        substantiated = case["finding"] in ("substantiated", "partly")
        if case["status"] not in FOLLOWS or not substantiated:
            zh = "案件办结且问题属实（或部分属实）后，方可举一反三安排制度建设任务"
            raise Refusal.conflict(zh, "only a concluded, substantiated case spawns follow-ups")
        unit = body.get("unit") or case["accused_unit"] or case["handling_unit"]
        if unit not in ctx.directory:
            raise _invalid("unit", "目录中没有该单位", "no such unit in the directory")
        common = {
            "measure": "九", "kind": "institution", "lead_units": [case["handling_unit"]],
            "source_case": case["id"],
        }  # fmt: skip
        task_id = await _create(session, ctx, caller, unit, body, common, None)
        detail = {"task": task_id, "unit": unit}
        await trail.record(ctx, session, caller, "task-follow-up", case["id"], detail)
        return task_id

    return await transactions.retrying(ctx, work)


async def _parent(session: AsyncSession, parent_id: str | None) -> dict[str, Any] | None:
    if parent_id is None:
        return None
    found = (await session.execute(select(tasks).where(tasks.c.id == parent_id))).mappings()
    parent = found.first()
    if parent is None:
        raise _invalid("parent", "没有该上级任务", "no such parent task")
    return dict(parent)


async def _create(
    session: AsyncSession,
    ctx: Context,
    caller: Principal,
    unit: str,
    body: dict[str, Any],
    common: dict[str, Any],
    parent: dict[str, Any] | None,
) -> str:
    now, due = ctx.now(), end_of_day(body["due"])
    if due < now:
        raise _invalid("due", "完成时限不能早于今天", "the due date has passed")
    row = {
        **common,
        "id": str(uuid.uuid4()),
        "title": body["title"],
        "parent_id": parent["id"] if parent else None,
        "responsible_unit": unit,
        "county": ctx.directory.unit(unit).county,
        "status": "assigned",
        "version": 1,
        "due": due,
        "clock": "running",
        "overdue": False,
        "assigned_by": caller.unit,
        "created_at": now,
        "updated_at": now,
    }
    row.setdefault("source_case", None)
    await session.execute(insert(tasks).values(**row))
    await stage(
        session, row, "task.assigned", now, title=row["title"], parent_id=row["parent_id"],
        source_case=row["source_case"],
    )  # fmt: skip
    return str(row["id"])


async def act(
    ctx: Context, caller: Principal, task_id: str, action: str, body: dict[str, Any]
) -> None:
    """report | accept | send-back on a task the caller may see (404 otherwise)."""

    async def work(session: AsyncSession) -> None:
        query = select(tasks).where(tasks.c.id == task_id)
        found = (await session.execute(query.with_for_update())).mappings().first()
        if found is None or not visible(ctx, caller, found):
            raise no_such_task()
        row = dict(found)
        status = rules.next_status(caller, action, row)
        extra = await (_report if action == "report" else _decide)(
            session, ctx, caller, row, action, body
        )
        await _advance(session, ctx, row, status, f"task.{_TYPES[action]}", **extra)
        detail = {"task": task_id, "report_no": extra["report_no"]}
        await trail.record(ctx, session, caller, f"task-{action}", row["source_case"], detail)

    await transactions.retrying(ctx, work)


_TYPES = {"report": "progress_reported", "accept": "accepted", "send-back": "sent_back"}


async def _report(
    session: AsyncSession, ctx: Context, caller: Principal, row: dict[str, Any], _: str,
    body: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    number = await session.scalar(
        select(func.coalesce(func.max(task_reports.c.report_no), 0)).where(
            task_reports.c.task_id == row["id"]
        )
    )
    values = {
        "task_id": row["id"], "report_no": int(number or 0) + 1, "text": body["text"],
        "figures": body.get("figures") or {}, "attachments": body.get("attachments") or [],
        "reported_by": caller.sub, "reported_at": ctx.now(),
    }  # fmt: skip
    await session.execute(insert(task_reports).values(**values))
    return {k: values[k] for k in ("report_no", "figures", "attachments")}


async def _decide(
    session: AsyncSession, ctx: Context, caller: Principal, row: dict[str, Any], action: str,
    body: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    number = await session.scalar(
        select(func.max(task_reports.c.report_no)).where(task_reports.c.task_id == row["id"])
    )
    decision = "accepted" if action == "accept" else "sent_back"
    reason = body.get("reason")
    await session.execute(
        update(task_reports)
        .where(task_reports.c.task_id == row["id"], task_reports.c.report_no == number)
        .values(decision=decision, reason=reason, decided_by=caller.sub, decided_at=ctx.now())
    )
    return {"report_no": number} | ({"reason": reason} if action == "send-back" else {})


async def _advance(
    session: AsyncSession, ctx: Context, row: dict[str, Any], status: str, event: str,
    **data: Any,
) -> None:  # fmt: skip
    """Write the task's new status and version (optimistic lock) and stage its event."""
    now = ctx.now()
    values: dict[str, Any] = {"status": status, "version": row["version"] + 1, "updated_at": now}
    if status == "accepted" and row["clock"] in ("running", "warned"):
        values["clock"] = "met"
    changed = await session.execute(
        update(tasks)
        .where(tasks.c.id == row["id"], tasks.c.version == row["version"])
        .values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(row["id"])
    await stage(session, {**row, **values}, event, now, **data)


def visible(ctx: Context, caller: Principal, row: Any) -> bool:
    """The city office and auditors see every task; a unit its own (responsible or lead);
    a supervisor also those of the units it supervises."""
    units = scope.overseen(ctx.directory, caller)
    if units is None:
        return True
    involved = {row["responsible_unit"], *row["lead_units"], row["escalated_to"]}
    return caller.role in (*rules.HANDLERS, "supervisor", "inspector") and bool(units & involved)
