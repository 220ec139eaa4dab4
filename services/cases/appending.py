"""Appending to a case: one transaction writes the history entries (each with the case's next
`sequence`), the case row, its clocks and the outbox events together. The row's `entries` count
is an optimistic lock: a writer that lost a race raises `Conflict` and retries from the start.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.clocks import Clock
from services.cases.context import Context
from services.cases.domain.history import apply
from services.cases.domain.state import CaseState
from services.cases.domain.vocabulary import PRIVATE
from services.cases.models import case_history, cases, deadlines
from services.cases.store import Loaded
from services.cases.transactions import Conflict
from shared import outbox
from shared.events import REGISTRY, Envelope, make_event

PRODUCER = "cases"


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
    ctx: Context,
    case: Loaded,
    entries: Sequence[Entry],
    clocks: Mapping[str, Clock] | None = None,
    *,
    causation_id: str | None = None,
) -> CaseState:
    """Append `entries` (each event with the case's next `sequence`) and change `clocks`."""
    now = ctx.now()
    state, position = case.state, int(case.row["entries"])
    for entry in entries:
        state = apply(state, entry.event_type, {**entry.data, **entry.internal})
        position += 1
        await _write_entry(session, ctx, case.row, state, entry, position, now, causation_id)
    values = _row_after(ctx, case.row, state, entries, position, now)
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
    ctx: Context,
    row: Mapping[str, Any],
    state: CaseState,
    entry: Entry,
    position: int,
    now: datetime,
    causation_id: str | None,
) -> None:
    event_id, published = uuid.uuid4(), dict(entry.data)
    if entry.public:
        envelope = _envelope(ctx, row, state, entry, now, causation_id, event_id)
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
    ctx: Context,
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
        county=ctx.county_of(state.handling_unit, row["handling_county"]),
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
    # Disputed again (退单): the city office's triage takes it until it decides.
    "case.assignment_disputed": lambda d: {"triage": True} if d.get("to_triage") else {},
    "case.dispute_decided": lambda d: {"triage": False},
    "case.supervision_raised": lambda d: {"raised_supervision": True},
}


def _row_after(
    ctx: Context,
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
        "handling_county": ctx.county_of(state.handling_unit, row["handling_county"]),
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
        values = clock_values(clock)
        if kind in existing:
            where = (deadlines.c.case_id == case_id) & (deadlines.c.kind == kind)
            await session.execute(update(deadlines).where(where).values(**values))
        else:
            await session.execute(insert(deadlines).values(case_id=case_id, kind=kind, **values))


def clock_values(clock: Clock) -> dict[str, Any]:
    """A clock's columns besides its case and kind."""
    return {
        "due": clock.due,
        "warn_at": clock.warn_at,
        "state": clock.state,
        "provisional": clock.provisional,
        "basis": clock.basis,
        "started_at": clock.started_at,
    }
