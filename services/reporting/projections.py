"""Projections: events → fact rows. Idempotent (inbox) and out-of-order safe (case version).

Every case event carries the case's current facts, so the newest version wins; flags that
record "ever happened" (accepted, transferred, overdue, rectified, exposed) only turn on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import case_facts, report_facts
from shared.events import Envelope
from shared.events.cases import CaseEvent, CaseMerged, CaseOpened
from shared.events.intake import ReportReceived

FLAGS = {
    "case.accepted": "accepted",
    "case.rejected": "rejected",
    "case.rectification_verified": "rectified",
    "case.transferred": "transferred",
    "case.exposed": "exposed",
    "case.overdue": "overdue",
}


async def project_report(session: AsyncSession, payload: ReportReceived) -> None:
    await session.execute(
        insert(report_facts).values(
            report_id=payload.report_id,
            county=payload.county,
            channel=payload.channel,
            received_at=payload.received_at,
        )
    )


async def project_case(session: AsyncSession, envelope: Envelope, payload: CaseEvent) -> None:
    row = (
        (await session.execute(select(case_facts).where(case_facts.c.case_id == payload.case_id)))
        .mappings()
        .first()
    )
    if row is None:
        await session.execute(insert(case_facts).values(**_fresh(payload)))
        row = _fresh(payload)
    changes = _changes(envelope, payload, dict(row))
    if changes:
        await session.execute(
            update(case_facts).where(case_facts.c.case_id == payload.case_id).values(**changes)
        )
    if isinstance(payload, CaseOpened | CaseMerged):
        report_id = (
            payload.merged_report_id if isinstance(payload, CaseMerged) else payload.report_id
        )
        await session.execute(
            update(report_facts)
            .where(report_facts.c.report_id == report_id)
            .values(case_id=payload.case_id)
        )


def _fresh(payload: CaseEvent) -> dict[str, Any]:
    return {
        "case_id": payload.case_id,
        "version": 0,
        "county": payload.county,
        "handling_unit": payload.handling_unit,
        "problem": payload.problem,
        "status": payload.status,
        "accepted": False,
        "rejected": False,
        "rectified": False,
        "transferred": False,
        "exposed": False,
        "overdue": False,
    }


def _changes(envelope: Envelope, payload: CaseEvent, row: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    flag = FLAGS.get(envelope.type)
    if flag:
        changes[flag] = True
    if isinstance(payload, CaseOpened):
        changes.update(channel=payload.channel, received_at=payload.received_at)
    if envelope.type == "case.accepted" and row.get("accepted_at") is None:
        changes["accepted_at"] = envelope.occurred_at
    if envelope.type == "case.closed":
        changes["closed_at"] = envelope.occurred_at
    finding = getattr(payload, "finding", None)
    if finding:
        changes["finding"] = finding
    if payload.version > row["version"]:
        changes.update(
            version=payload.version,
            status=payload.status,
            handling_unit=payload.handling_unit,
            problem=payload.problem,
            county=payload.county,
        )
    return changes
