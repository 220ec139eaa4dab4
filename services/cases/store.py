"""Reading a case and appending to it. One transaction writes the history entries, the case row,
its clocks and the outbox events together.

Concurrency: on PostgreSQL the case row is locked (`FOR UPDATE`, or `SKIP LOCKED` for the
sweeper) before anything about the case is read; everywhere, the row's `entries` count is an
optimistic lock, so a writer that lost a race raises `Conflict` and retries from the start.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.clocks import Clock
from services.cases.domain import PRIVATE, CaseState, apply, rebuild
from services.cases.models import case_history, cases, deadlines
from services.cases.service import CasesService
from shared import outbox
from shared.events import REGISTRY, Envelope, make_event

PRODUCER = "cases"
ATTEMPTS = 5
T = TypeVar("T")


class Conflict(Exception):
    """Another writer changed the case first: retry the whole use case."""


async def retrying(
    service: CasesService,
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    one_writer: bool = False,
) -> T:
    """Run `work` in a transaction, again from the start when it lost a race (a `Conflict`, a
    duplicate key, SQLite's "database is locked"). `one_writer`: on SQLite, take the process's
    write lock (SQLite has no row locks to serialise on)."""
    for attempt in range(1, ATTEMPTS + 1):
        lock = service.write_lock if one_writer and service.db.is_sqlite else None
        try:
            async with (
                lock or contextlib.nullcontext(),
                service.db.sessions() as session,
                session.begin(),
            ):
                return await work(session)
        except (Conflict, IntegrityError, OperationalError):
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Entry:
    """One history entry to append: published fields beyond the common ones, internal texts."""

    event_type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    internal: Mapping[str, Any] = field(default_factory=dict)
    actor_sub: str | None = "system"
    actor_unit: str | None = None

    @property
    def public(self) -> bool:
        return self.event_type not in PRIVATE


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


def common_fields(row: Mapping[str, Any], state: CaseState) -> dict[str, Any]:
    """What every case event carries: the case as it stands after the event."""
    return {
        "case_id": row["id"],
        "county": row["county"],
        "status": state.status.value,
        "version": state.version,
        "handling_unit": state.handling_unit,
        "problem": state.problem,
        "report_id": row["report_id"],
    }


async def append(
    session: AsyncSession,
    service: CasesService,
    case: Loaded,
    entries: Sequence[Entry],
    clocks: Mapping[str, Clock] | None = None,
    *,
    causation_id: str | None = None,
) -> CaseState:
    """Append `entries` (each event with the case's next `sequence`) and change `clocks`."""
    now = service.now()
    state, position = case.state, int(case.row["entries"])
    for entry in entries:
        state = apply(state, entry.event_type, {**entry.data, **entry.internal})
        position += 1
        await _write_entry(session, service, case.row, state, entry, position, now, causation_id)
    values = _row_after(service, case.row, state, entries, position, now)
    changed = await session.execute(
        update(cases)
        .where(cases.c.id == case.case_id, cases.c.entries == case.row["entries"])
        .values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(case.case_id)
    await write_clocks(session, case.case_id, clocks or {}, case.clocks)
    return state


async def _write_entry(
    session: AsyncSession,
    service: CasesService,
    row: Mapping[str, Any],
    state: CaseState,
    entry: Entry,
    position: int,
    now: datetime,
    causation_id: str | None,
) -> None:
    event_id, published = uuid.uuid4(), dict(entry.data)
    if entry.public:
        envelope = _envelope(service, row, state, entry, now, causation_id, event_id)
        await outbox.add(session, envelope)
        published = envelope.data
    await session.execute(
        insert(case_history).values(
            case_id=row["id"],
            sequence=position,
            version=state.version,
            event_id=str(event_id),
            event_type=entry.event_type,
            at=now,
            actor_sub=entry.actor_sub,
            actor_unit=entry.actor_unit,
            data=_json(published),
            internal=_json(entry.internal) or None,
            public=entry.public,
        )
    )


def _envelope(
    service: CasesService,
    row: Mapping[str, Any],
    state: CaseState,
    entry: Entry,
    now: datetime,
    causation_id: str | None,
    event_id: uuid.UUID,
) -> Envelope:
    """The entry's event: the case's facts after it, `sequence` = version, under the handling
    unit's county."""
    payload = REGISTRY[(entry.event_type, 1)].model_validate(
        {**entry.data, **common_fields(row, state)}
    )
    return make_event(
        payload,
        county=service.county_of(state.handling_unit, row["handling_county"]),
        aggregate_id=row["id"],
        sequence=state.version,
        producer=PRODUCER,
        correlation_id=row["report_id"],
        causation_id=causation_id,
        occurred_at=now,
        event_id=event_id,
    )


def _json(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


# Row columns some events set besides what the state holds.
ROW_CHANGES = {
    "case.transferred": lambda d: {"receiving_unit": d["receiving_unit"]},
    "case.transfer_objected": lambda d: {"receiving_unit": None},
    "case.escalated": lambda d: {"escalated_to": d["to_unit"]},
    "case.assigned": lambda d: {"triage": False},
    "case.reclassified": lambda d: {"triage": False},
}


def _row_after(
    service: CasesService,
    row: Mapping[str, Any],
    state: CaseState,
    entries: Sequence[Entry],
    position: int,
    now: datetime,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": state.status.value,
        "version": state.version,
        "entries": position,
        "handling_unit": state.handling_unit,
        "handling_county": service.county_of(state.handling_unit, row["handling_county"]),
        "rectifying_unit": state.rectifying_unit,
        "problem": state.problem,
        "finding": state.finding and state.finding.value,
        "exposed": state.exposed,
        "exposure_text": state.exposure_text if state.exposed else None,
        "overdue": state.overdue,
        "transfer_to": state.transfer_to and state.transfer_to.value,
        "updated_at": now,
    }
    for entry in entries:
        change = ROW_CHANGES.get(entry.event_type)
        values.update(change(entry.data) if change else {})
    return values


async def write_clocks(
    session: AsyncSession, case_id: str, changed: Mapping[str, Clock], existing: Mapping[str, Clock]
) -> None:
    """Insert new clocks, update changed ones (one row per kind: a restart replaces it)."""
    for kind, clock in changed.items():
        values = {
            "due": clock.due,
            "warn_at": clock.warn_at,
            "state": clock.state,
            "provisional": clock.provisional,
            "basis": clock.basis,
            "started_at": clock.started_at,
        }
        if kind in existing:
            where = (deadlines.c.case_id == case_id) & (deadlines.c.kind == kind)
            await session.execute(update(deadlines).where(where).values(**values))
        else:
            await session.execute(insert(deadlines).values(case_id=case_id, kind=kind, **values))
