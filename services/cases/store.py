"""Reading a case: its row, its history (which alone rebuilds its state) and its clocks.

Concurrency: on PostgreSQL the case row is locked (`FOR UPDATE`, or `SKIP LOCKED` for the
sweeper) before anything about the case is read; reads without a lock check `unchanged` last.
Writing is `appending.py`, retrying a lost race `transactions.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.clocks import Clock
from services.cases.domain.history import rebuild
from services.cases.domain.state import CaseState
from services.cases.models import case_history, cases, deadlines


@dataclass(frozen=True)
class Loaded:
    """A case as read in a transaction: its row, its state (from its history), its clocks."""

    row: Mapping[str, Any]
    state: CaseState
    clocks: dict[str, Clock]
    history: Sequence[Mapping[str, Any]]

    @property
    def case_id(self) -> str:
        return str(self.row["id"])


async def load(
    session: AsyncSession, case_id: str, *, lock: bool = False, skip_locked: bool = False
) -> Loaded | None:
    """The case, its history and clocks; None if absent (or, with `skip_locked`, locked)."""
    query = select(cases).where(cases.c.id == case_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=skip_locked)
    row = (await session.execute(query)).mappings().first()
    if row is None:
        return None
    own = case_history.c.case_id == case_id
    ordered = select(case_history).where(own).order_by(case_history.c.sequence)
    history = await session.execute(ordered)
    entries = [dict(h) for h in history.mappings().all()]
    state = rebuild((h["event_type"], {**h["data"], **(h["internal"] or {})}) for h in entries)
    return Loaded(dict(row), state, await load_clocks(session, case_id), entries)


async def unchanged(session: AsyncSession, case: Loaded) -> bool:
    """Whether the case is still as `case` read it: reads without a lock check this last, so
    their several statements saw one state (every writer bumps `entries`)."""
    now = await session.execute(select(cases.c.entries).where(cases.c.id == case.case_id))
    return now.scalar() == case.row["entries"]


async def load_clocks(session: AsyncSession, case_id: str) -> dict[str, Clock]:
    rows = await session.execute(select(deadlines).where(deadlines.c.case_id == case_id))
    return {r["kind"]: _clock(dict(r)) for r in rows.mappings().all()}


def _clock(row: Mapping[str, Any]) -> Clock:
    fields = ("kind", "due", "warn_at", "state", "provisional", "basis", "started_at")
    return Clock(**{name: row[name] for name in fields})
