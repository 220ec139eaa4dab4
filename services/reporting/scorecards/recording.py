"""Folding a claimed batch of case events into the scorecards' marks, in the projecting
transaction (the inbox claim makes each event count once)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.scorecards.marks import Dues, Mark, mark_of, new_dues
from services.reporting.scorecards.tables import scorecard_dues, scorecard_marks
from shared.directory import Directory
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent


async def record(
    session: AsyncSession,
    items: Sequence[tuple[Envelope, EventData]],
    directory: Directory,
) -> int:
    """Write the marks of these events; returns how many."""
    events = [(e, p) for e, p in items if isinstance(p, CaseEvent)]
    if not events:
        return 0
    dues = await _load(session, scorecard_dues, {p.case_id for _, p in events})
    before = {k: dict(v) for k, v in dues.items()}
    marks = fold(events, dues, directory)
    if marks:
        await session.execute(insert(scorecard_marks), marks)
    await _save(session, scorecard_dues, before, dues)
    return len(marks)


def fold(
    events: Sequence[tuple[Envelope, CaseEvent]], dues: dict[str, Dues], directory: Directory
) -> list[Mark]:
    """The marks of these case events, in order, each against its case's dues as the events
    before it left them; `dues` (by case) moves on with them. Pure: the live handler reads and
    writes the dues per batch, a rebuild keeps them in memory (rebuild/folds.py)."""

    def county_of(unit: str) -> str:
        return directory.unit(unit).county if unit in directory else ""

    marks = []
    for envelope, event in events:
        case_dues = dues.setdefault(event.case_id, {})
        mark = mark_of(envelope, event, case_dues, county_of)
        if mark is not None:
            marks.append(mark)
        case_dues.update(new_dues(event))
    return marks


async def _load(session: AsyncSession, table: Table, case_ids: set[str]) -> dict[str, Dues]:
    rows = await session.execute(select(table).where(table.c.case_id.in_(case_ids)))
    out: dict[str, Dues] = {}
    for row in rows:
        out.setdefault(row.case_id, {})[row.kind] = row.due
    return out


async def _save(
    session: AsyncSession, table: Table, before: dict[str, Dues], after: dict[str, Dues]
) -> None:
    changed = [
        (case_id, kind, due)
        for case_id, kinds in after.items()
        for kind, due in kinds.items()
        if before.get(case_id, {}).get(kind) != due
    ]
    if not changed:
        return
    keys = [(case_id, kind) for case_id, kind, _ in changed]
    pair = tuple_(table.c.case_id, table.c.kind)
    await session.execute(delete(table).where(pair.in_(keys)))
    rows = [{"case_id": c, "kind": k, "due": d} for c, k, d in changed]
    await session.execute(insert(table), rows)
