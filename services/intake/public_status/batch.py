"""The reporter's public status follows case events, a batch at a time (a single event is a
batch of one): reports are linked to their case, each event the reporter may see adds a step,
the status and the case's status move on, and the reply opens the review window with the date
cases computed (`review_due`). Exposed cases follow too (`exposures`).

The reports a batch touches are read once (locked), the events applied to them in memory in
order, and the changes written in a few statements: what following each event on its own
would write, without six statements per event (under load nearly every case event is an
opening, and statement after statement left the consumer behind while HTTP was busy).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import exposures
from services.intake.models import report_steps, reports
from services.intake.public_status.apply import apply, linked_report
from services.intake.public_status.rows import Reports
from shared.db import one_of
from shared.events import Envelope
from shared.events.cases import CaseEvent

CaseChange = tuple[Envelope, CaseEvent]
COLUMNS = ("id", "case_id", "status", "status_version", "case_version")


async def follow_case_events(session: AsyncSession, events: list[CaseChange]) -> None:
    """Link reports to their case, record the public steps, status and review window."""
    if not events:
        return
    state = Reports(await _touched(session, events))
    for envelope, payload in events:
        apply(state, envelope, payload)
    await _write(session, state)
    await exposures.follow(session, events)


async def _touched(session: AsyncSession, events: list[CaseChange]) -> list[Any]:
    """Every report an event of the batch links or already belongs to one of its cases."""
    linking = {linked_report(e, p) for e, p in events} - {None}
    query = select(*(reports.c[name] for name in COLUMNS)).where(
        or_(
            one_of(session, reports.c.id, sorted(linking)),
            one_of(session, reports.c.case_id, sorted({p.case_id for _, p in events})),
        )
    )
    if session.get_bind().dialect.name != "sqlite":
        # Read, then written below: no one moves them between. In id order, so two writers
        # locking overlapping reports queue instead of deadlocking.
        query = query.order_by(reports.c.id).with_for_update()
    return list((await session.execute(query)).all())


async def _write(session: AsyncSession, state: Reports) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for report_id, change in state.changed.items():
        groups.setdefault(tuple(sorted(change)), []).append({"rid": report_id, **change})
    for rows in groups.values():
        # executemany: the SET columns are the rows' keys other than `rid` (the same in a group)
        await session.execute(update(reports).where(reports.c.id == bindparam("rid")), rows)
    if state.steps:
        await session.execute(insert(report_steps), state.steps)
