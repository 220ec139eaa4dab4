"""The supervision figures a caller may see (the aggregates' fences of `access.py`): tasks by
measure and responsible unit and by county, overdue tasks by unit, visits per county with the
unannounced share, data requests per county by outcome, and re-checks (回头看) per county and
per handling unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, true

from services.reporting.context import Context
from services.reporting.supervision.rechecks import recheck_figures
from services.reporting.supervision.tables import sup_datarequests, sup_inspections, sup_tasks
from shared.directory import Directory


def _in(column: Any, units: frozenset[str] | None) -> ColumnElement[bool]:
    return true() if units is None else column.in_(units)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


async def figures(ctx: Context, units: frozenset[str] | None) -> dict[str, Any]:
    """`units`: the units in the caller's view (None: the whole city)."""
    t, i, d = sup_tasks.c, sup_inspections.c, sup_datarequests.c
    tasks = (
        select(
            t.measure,
            t.responsible_unit,
            func.count(),
            _count(t.status == "accepted"),
            _count(t.status == "sent_back"),
            _count(t.overdue.is_(True)),
            _count(t.status == "reported"),
            t.county,
        )  # fmt: skip
        .where(_in(t.responsible_unit, units))
        .group_by(t.measure, t.responsible_unit, t.county)
        .order_by(t.measure, t.responsible_unit)
    )
    visits = (
        select(i.county, func.count(), _count(i.kind == "unannounced"), func.sum(i.findings))
        .where(_in(i.unit, units), i.status == "visited")
        .group_by(i.county)
        .order_by(i.county)
    )
    requests = (
        select(
            d.county,
            _count(d.outcome == "registered"),
            _count(d.outcome == "flagged"),
            _count(d.outcome == "refused"),
        )  # fmt: skip
        .where(_in(d.requesting_unit, units))
        .group_by(d.county)
        .order_by(d.county)
    )
    async with ctx.db.sessions() as session:
        task_rows = (await session.execute(tasks)).all()
        visit_rows = (await session.execute(visits)).all()
        request_rows = (await session.execute(requests)).all()
        rechecks = await recheck_figures(session, units)
    return {
        "tasks": [
            {
                "measure": m,
                "unit": u,
                "county": c,
                "tasks": n,
                "reported": int(r),
                "accepted": int(a),
                "sent_back": int(b),
                "overdue": int(o),
            }
            for m, u, n, a, b, o, r, c in task_rows
        ],  # fmt: skip
        "tasks_by_county": _tasks_by_county(task_rows),
        "accountability": _overdue_by_unit(task_rows),
        "inspections": [
            {
                "county": c,
                "visits": n,
                "unannounced": int(u),
                "findings": int(f or 0),
                "unannounced_share": round(int(u) / n, 3) if n else 0.0,
            }
            for c, n, u, f in visit_rows
        ],  # fmt: skip
        "data_requests": [
            {"county": c, "registered": int(r), "flagged": int(f), "refused": int(x)}
            for c, r, f, x in request_rows
        ],
        "rechecks": rechecks,
    }


def within_county(found: dict[str, Any], code: str, directory: Directory) -> dict[str, Any]:
    """The figures of one county (its page): its units' tasks, the visits to it, its cases'
    re-checks and those of its handling units."""

    def mine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r["county"] == code]

    def of_unit(unit: str) -> bool:
        return unit in directory and directory.unit(unit).county == code

    rechecks = found["rechecks"]
    units = [r for r in rechecks["by_unit"] if of_unit(r["unit"])]
    return found | {
        "tasks": mine(found["tasks"]),
        "tasks_by_county": mine(found["tasks_by_county"]),
        "inspections": mine(found["inspections"]),
        "data_requests": mine(found["data_requests"]),
        "accountability": [r for r in found["accountability"] if of_unit(r["unit"])],
        "rechecks": {
            "by_county": mine(rechecks["by_county"]),
            "by_unit": units,
        },
    }


def _tasks_by_county(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Tasks by the responsible unit's county: assigned, reported, accepted, sent back,
    overdue."""
    sums: dict[str, list[int]] = {}
    for _, _, n, accepted, sent_back, overdue, reported, county in rows:
        into = sums.setdefault(county, [0, 0, 0, 0, 0])
        for i, value in enumerate((n, reported, accepted, sent_back, overdue)):
            into[i] += int(value)
    fields = ("tasks", "reported", "accepted", "sent_back", "overdue")
    return [{"county": c, **dict(zip(fields, v, strict=True))} for c, v in sorted(sums.items())]


def _overdue_by_unit(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Units with overdue tasks, most first: what accountability looks at."""
    late: dict[str, int] = {}
    for _, unit, _, _, _, overdue, _, _ in rows:
        late[unit] = late.get(unit, 0) + int(overdue)
    ranked = sorted((-n, u) for u, n in late.items() if n)
    return [{"unit": u, "overdue_tasks": -n} for n, u in ranked]


def table_rows(found: dict[str, Any]) -> list[list[Any]]:
    """The figures as one table for the export: tasks per measure × unit and per county, visits
    per county, re-checks per county and per unit, then data requests."""
    head = ["类别", "措施", "单位/县市区", "数量", "已报告", "已验收/通过", "退回"]
    rows: list[list[Any]] = [head + ["逾期/暗访/未通过/拒绝", "重新办理"]]
    for r in found["tasks"]:
        rows.append(["督办任务", r["measure"], r["unit"], r["tasks"], r["reported"],
                     r["accepted"], r["sent_back"], r["overdue"], ""])  # fmt: skip
    for r in found["tasks_by_county"]:
        rows.append(["督办任务（县市区）", "", r["county"], r["tasks"], r["reported"],
                     r["accepted"], r["sent_back"], r["overdue"], ""])  # fmt: skip
    for r in found["inspections"]:
        rows.append(["督查暗访", "", r["county"], r["visits"], "", "", "", r["unannounced"], ""])
    for label, key, at in (("回头看（县市区）", "by_county", "county"),
                           ("回头看（承办单位）", "by_unit", "unit")):  # fmt: skip
        for r in found["rechecks"][key]:
            done = r["passed"] + r["failed"]
            rows.append([label, "", r[at], r["due"] + done, "", r["passed"], "", r["failed"],
                         r["reopened"]])  # fmt: skip
    for r in found["data_requests"]:
        total = r["registered"] + r["flagged"] + r["refused"]
        rows.append(["向村级要数据", "", r["county"], total, "", "", "", r["refused"], ""])
    return rows
