"""Exposed cases (查实曝光) as Open311 lists them: kept from `case.exposed` and later case events,
with the approved public text only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import exposures, reports
from shared.events import Envelope
from shared.events.cases import CaseEvent, CaseExposed

OPEN311_MAX = 1000


async def follow(session: AsyncSession, events: list[tuple[Envelope, CaseEvent]]) -> None:
    """Record exposures, and move exposed cases' status on, in the events' order: the moves
    between two exposures go in one statement."""
    moves: list[dict[str, Any]] = []
    for envelope, payload in events:
        if isinstance(payload, CaseExposed):
            await _move(session, moves)
            moves = []
            await _expose(session, envelope, payload)
        else:
            moves.append(
                {"cid": payload.case_id, "v": payload.version, "s": payload.status,
                 "p": payload.problem, "at": envelope.occurred_at}
            )  # fmt: skip
    await _move(session, moves)


async def _move(session: AsyncSession, moves: list[dict[str, Any]]) -> None:
    """An exposed case's status follows newer case versions only."""
    if not moves:
        return
    await session.execute(
        update(exposures)
        .where(exposures.c.case_id == bindparam("cid"), exposures.c.case_version < bindparam("v"))
        .values(
            case_status=bindparam("s"),
            case_version=bindparam("v"),
            problem=bindparam("p"),
            updated_at=bindparam("at"),
        ),
        moves,
    )


async def _expose(session: AsyncSession, envelope: Envelope, payload: CaseExposed) -> None:
    values = {
        "case_status": payload.status,
        "case_version": payload.version,
        "problem": payload.problem,
        "exposure_text": payload.exposure_text,
        "updated_at": envelope.occurred_at,
    }
    known = await session.execute(
        select(exposures.c.case_version).where(exposures.c.case_id == payload.case_id)
    )
    version = known.scalar()
    if version is not None:
        if version < payload.version:
            await session.execute(
                update(exposures).where(exposures.c.case_id == payload.case_id).values(**values)
            )
        return
    report_id, requested_at = await _first_report(session, payload)
    await session.execute(
        insert(exposures).values(
            case_id=payload.case_id,
            report_id=report_id,
            county=payload.county,
            requested_at=requested_at or envelope.occurred_at,
            exposed_at=envelope.occurred_at,
            **values,
        )
    )


async def _first_report(session: AsyncSession, payload: CaseEvent) -> tuple[str, Any]:
    """The report that opened the case (Open311's service_request_id) and when it came."""
    query = select(reports.c.id, reports.c.created_at)
    if payload.report_id:
        query = query.where(reports.c.id == payload.report_id)
    else:
        query = query.where(reports.c.case_id == payload.case_id).order_by(reports.c.created_at)
    row = (await session.execute(query.limit(1))).first()
    if row is None:
        return payload.report_id or payload.case_id, None
    return row.id, row.created_at


async def listed(
    session: AsyncSession,
    *,
    county: str | None = None,
    problem: int | None = None,
    ids: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Row[Any]]:
    """Exposed cases, newest exposure first, filtered as Open311's GET requests asks."""
    query = select(exposures).order_by(exposures.c.exposed_at.desc()).limit(OPEN311_MAX)
    if county:
        query = query.where(exposures.c.county == county)
    if problem is not None:
        query = query.where(exposures.c.problem == problem)
    if ids:
        query = query.where(exposures.c.report_id.in_(ids))
    if start:
        query = query.where(exposures.c.requested_at >= start)
    if end:
        query = query.where(exposures.c.requested_at <= end)
    return list((await session.execute(query)).all())
