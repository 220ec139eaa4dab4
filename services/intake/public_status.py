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
from services.intake.status_steps import step_texts
from shared.db import one_of
from shared.events import Envelope
from shared.events.cases import CaseClosed, CaseEvent, CaseMerged, CaseRejected

CaseChange = tuple[Envelope, CaseEvent]
COLUMNS = ("id", "case_id", "status", "status_version", "case_version")


class Reports:
    """The rows a batch touches, as the events leave them, and which columns each one moved."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = {row.id: dict(row._mapping) for row in rows}
        self.changed: dict[str, dict[str, Any]] = {}
        self.steps: list[dict[str, Any]] = []

    def set(self, report_id: str, **values: Any) -> None:
        if report_id in self.rows:  # not a report of ours (imported elsewhere): nothing to show
            self.rows[report_id] |= values
            self.changed.setdefault(report_id, {}).update(values)

    def of_case(self, case_id: str) -> list[dict[str, Any]]:
        return [row for row in self.rows.values() if row["case_id"] == case_id]


async def follow_case_events(session: AsyncSession, events: list[CaseChange]) -> None:
    """Link reports to their case, record the public steps, status and review window."""
    if not events:
        return
    state = Reports(await _touched(session, events))
    for envelope, payload in events:
        _apply(state, envelope, payload)
    await _write(session, state)
    await exposures.follow(session, events)


async def _touched(session: AsyncSession, events: list[CaseChange]) -> list[Any]:
    """Every report an event of the batch links or already belongs to one of its cases."""
    linking = {_linked_report(e, p) for e, p in events} - {None}
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


def _linked_report(envelope: Envelope, payload: CaseEvent) -> str | None:
    """The report this event links to its case: an opening's own, or the one merged in."""
    if isinstance(payload, CaseMerged):
        return payload.merged_report_id
    if envelope.type == "case.opened" and payload.report_id:
        return payload.report_id
    return None


def _apply(state: Reports, envelope: Envelope, payload: CaseEvent) -> None:
    """One event on the rows: the same rules whatever else the batch holds."""
    version, merged = payload.version, None
    linking = _linked_report(envelope, payload)
    if linking:
        state.set(linking, case_id=payload.case_id)
    if isinstance(payload, CaseMerged):
        merged = payload.merged_report_id
        if merged in state.rows and state.rows[merged]["status_version"] < version:
            state.set(merged, status="merged", status_version=version)
    linked = state.of_case(payload.case_id)
    _add_steps(state, envelope, payload, linked, merged)
    for row in linked:
        # Out-of-order safe: only a newer case version moves the status.
        if row["status"] != "merged" and row["status_version"] < version:
            state.set(row["id"], status=payload.status, status_version=version)
        if row["case_version"] < version:  # an older event arriving late changes nothing
            state.set(row["id"], **_case_values(envelope, payload))


def _add_steps(
    state: Reports,
    envelope: Envelope,
    payload: CaseEvent,
    linked: list[dict[str, Any]],
    merged: str | None,
) -> None:
    texts = step_texts(envelope.type, payload)
    if texts is None:
        return
    for row in linked:
        if merged not in (None, row["id"]):
            continue  # another reporter's report merging in is not news to this one
        state.steps.append(
            {
                "report_id": row["id"],
                "event_id": f"{envelope.event_id}:{row['id']}",
                "at": envelope.occurred_at,
                "status": "merged" if merged else payload.status,
                "text_zh": texts[0],
                "text_en": texts[1],
            }
        )


def _case_values(envelope: Envelope, payload: CaseEvent) -> dict[str, Any]:
    """The case's status and problem (Open311) and the review window."""
    values: dict[str, Any] = {
        "case_status": payload.status,
        "case_version": payload.version,
        "problem": payload.problem,
        "updated_at": envelope.occurred_at,
    }
    return values | review_window(envelope, payload)


def review_window(envelope: Envelope, payload: CaseEvent) -> dict[str, Any]:
    """A reply opens the window until the date cases set for it (`review_due`); reopening the
    case closes it. Intake keeps no deadline rules of its own."""
    if isinstance(payload, CaseClosed | CaseRejected):
        return {"replied_at": envelope.occurred_at, "review_until": payload.review_due}
    if envelope.type == "case.reopened":
        return {"replied_at": None, "review_until": None}
    return {}


async def _write(session: AsyncSession, state: Reports) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for report_id, change in state.changed.items():
        groups.setdefault(tuple(sorted(change)), []).append({"rid": report_id, **change})
    for rows in groups.values():
        # executemany: the SET columns are the rows' keys other than `rid` (the same in a group)
        await session.execute(update(reports).where(reports.c.id == bindparam("rid")), rows)
    if state.steps:
        await session.execute(insert(report_steps), state.steps)
