"""The reporter's view follows case events: public wording only, never internal notes, officer
names or the accused's details."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import report_steps, reports
from services.intake.service import _step
from shared.events import Envelope
from shared.events.cases import CaseEvent, CaseExtensionDecided, CaseMerged

# event type -> (zh, en); None: the reporter sees no step for it
STEPS: dict[str, tuple[str, str] | None] = {
    "case.opened": ("已登记，正在分办", "Registered; being assigned"),
    "case.merged": ("已并入正在办理的同一事项", "Linked to a case already being handled"),
    "case.accepted": ("已受理", "Accepted"),
    "case.rejected": ("不予受理：{public_reason}", "Not accepted: {public_reason}"),
    "case.investigation_started": ("正在调查核实", "Under investigation"),
    "case.concluded": ("调查结束：{public_summary}", "Investigation concluded: {public_summary}"),
    "case.rectification_required": ("已责令整改", "Rectification ordered"),
    "case.rectification_verified": ("整改已验收", "Rectification verified"),
    "case.transferred": ("已移交有关机关依法处理", "Transferred to the competent authority"),
    "case.extension_decided": (
        "办理期限延长 {days} 天：{public_reason}",
        "Handling extended by {days} days: {public_reason}",
    ),
    "case.closed": ("已办结", "Closed"),
    "case.reopened": ("已重新办理", "Reopened"),
}


def _texts(envelope: Envelope, payload: CaseEvent) -> tuple[str, str] | None:
    template = STEPS.get(envelope.type)
    if template is None:
        return None
    if isinstance(payload, CaseExtensionDecided) and not payload.approved:
        return None  # a refused extension changes nothing the reporter waits for
    values = payload.model_dump()
    return template[0].format(**values), template[1].format(**values)


async def follow_case_event(session: AsyncSession, envelope: Envelope, payload: CaseEvent) -> None:
    """Link reports to their case and record the public step and status."""
    if payload.report_id and envelope.type == "case.opened":
        await session.execute(
            update(reports).where(reports.c.id == payload.report_id).values(case_id=payload.case_id)
        )
    if isinstance(payload, CaseMerged):
        await _record(session, envelope, [payload.merged_report_id], "merged", payload.version)
        await session.execute(
            update(reports)
            .where(reports.c.id == payload.merged_report_id)
            .values(case_id=payload.case_id)
        )
        return
    ids = (
        (
            await session.execute(
                select(reports.c.id).where(
                    reports.c.case_id == payload.case_id, reports.c.status != "merged"
                )
            )
        )
        .scalars()
        .all()
    )
    await _record(session, envelope, list(ids), payload.status, payload.version, payload)


async def _record(
    session: AsyncSession,
    envelope: Envelope,
    report_ids: list[str],
    status: str,
    version: int,
    payload: CaseEvent | None = None,
) -> None:
    texts = _texts(envelope, payload) if payload is not None else STEPS["case.merged"]
    for report_id in report_ids:
        if texts:
            await _step(
                session,
                report_id,
                f"{envelope.event_id}:{report_id}",
                envelope.occurred_at,
                status,
                *texts,
            )
        # Out-of-order safe: only a newer case version moves the status.
        await session.execute(
            update(reports)
            .where(reports.c.id == report_id, reports.c.status_version < version)
            .values(status=status, status_version=version, updated_at=envelope.occurred_at)
        )


async def view(
    session: AsyncSession, tracking_hash: str, english: bool
) -> tuple[str, list[dict[str, str]]] | None:
    row = (
        await session.execute(
            select(reports.c.id, reports.c.status).where(reports.c.tracking_hash == tracking_hash)
        )
    ).first()
    if row is None:
        return None
    steps = (
        await session.execute(
            select(report_steps)
            .where(report_steps.c.report_id == row.id)
            .order_by(report_steps.c.at, report_steps.c.id)
        )
    ).all()
    return row.status, [
        {
            "at": step.at.isoformat(),
            "status": step.status,
            "text": step.text_en if english else step.text_zh,
        }
        for step in steps
    ]
