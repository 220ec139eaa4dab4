"""Re-checks (回头看) from the case events, in the transaction that projects them: each
`case.recheck_due`, `case.rechecked` and `case.reopened` on a failed re-check is one row (its
event id the key, so a replay adds nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.supervision.tables import sup_rechecks
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.cases.closing import CaseReopened
from shared.events.cases.followup import CaseRecheckDue, CaseRechecked


def step_of(event: EventData) -> tuple[str, str | None] | None:
    """The re-check step an event is (and the re-checking unit), None if it is none."""
    if isinstance(event, CaseRecheckDue):
        return "due", event.recheck_unit
    if isinstance(event, CaseRechecked):
        return ("passed" if event.passed else "failed"), event.recheck_unit
    if isinstance(event, CaseReopened) and event.on_recheck:
        return "reopened", None
    return None


async def record(session: AsyncSession, items: Sequence[tuple[Envelope, EventData]]) -> None:
    rows = rows_of(items)
    if not rows:
        return
    ids = [row["event_id"] for row in rows]
    known = select(sup_rechecks.c.event_id).where(sup_rechecks.c.event_id.in_(ids))
    seen = set((await session.execute(known)).scalars())
    fresh = list({row["event_id"]: row for row in rows if row["event_id"] not in seen}.values())
    if fresh:
        await session.execute(insert(sup_rechecks), fresh)


def rows_of(items: Sequence[tuple[Envelope, EventData]]) -> list[dict[str, Any]]:
    """The re-check rows of these events (a rebuild folds them in memory, rebuild/folds.py)."""
    rows: list[dict[str, Any]] = []
    for envelope, event in items:
        step = step_of(event)
        if step is None or not isinstance(event, CaseEvent):
            continue
        rows.append({"event_id": str(envelope.event_id), "case_id": event.case_id,
                     "county": event.county, "handling_unit": event.handling_unit,
                     "recheck_unit": step[1], "step": step[0]})  # fmt: skip
    return rows


async def recheck_figures(
    session: AsyncSession, units: frozenset[str] | None
) -> dict[str, list[dict[str, Any]]]:
    """Per county and per handling unit: re-checks still due, passed, failed, cases reopened;
    a step is in view when the caller sees the handling or the re-checking unit."""
    r = sup_rechecks.c
    query = select(r.county, r.handling_unit, r.step, func.count())
    if units is not None:
        query = query.where(or_(r.handling_unit.in_(units), r.recheck_unit.in_(units)))
    rows = (await session.execute(query.group_by(r.county, r.handling_unit, r.step))).all()
    return {"by_county": _tally(rows, 0, "county"), "by_unit": _tally(rows, 1, "unit")}


def _tally(rows: Sequence[Any], at: int, name: str) -> list[dict[str, Any]]:
    steps: dict[str, dict[str, int]] = {}
    for row in rows:
        into = steps.setdefault(row[at], {})
        into[row[2]] = into.get(row[2], 0) + int(row[3])
    return [
        {
            name: key,
            "due": max(s.get("due", 0) - s.get("passed", 0) - s.get("failed", 0), 0),
            "passed": s.get("passed", 0),
            "failed": s.get("failed", 0),
            "reopened": s.get("reopened", 0),
        }
        for key, s in sorted(steps.items())
    ]
