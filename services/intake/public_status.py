"""The reporter's view follows case events: public wording only, never internal notes, officer
names or the accused's details. Case events also open the review window (with the reply) and
keep the exposed cases Open311 lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import exposures
from services.intake.models import report_steps, reports
from shared.db import one_of
from shared.deadlines import Profiles
from shared.events import Envelope
from shared.events.cases import CaseEvent, CaseExtensionDecided, CaseMerged

# event type -> (zh, en) filled from the event's public fields; absent: no step for it
STEPS: dict[str, tuple[str, str]] = {
    "case.opened": ("已登记，正在分办", "Registered; being assigned"),
    "case.merged": ("已并入正在办理的同一事项", "Linked to a case already being handled"),
    "case.accepted": ("已受理", "Accepted"),
    "case.rejected": ("不予受理：{public_reason}", "Not accepted: {public_reason}"),
    "case.investigation_started": ("正在调查核实", "Under investigation"),
    "case.concluded": ("调查结束：{public_summary}", "Investigation concluded: {public_summary}"),
    "case.rectification_required": ("已责令整改", "Rectification ordered"),
    "case.rectification_submitted": (
        "整改材料已提交，等待验收",
        "Rectification reported; awaiting verification",
    ),
    "case.rectification_verified": ("整改已验收", "Rectification verified"),
    "case.rectification_rejected": ("整改未通过验收，继续整改", "Rectification not accepted"),
    "case.transferred": ("已移交有关机关依法处理", "Transferred to the competent authority"),
    "case.transfer_objected": (
        "接收机关提出异议，事项退回继续办理",
        "The receiving authority declined; handling continues",
    ),
    "case.extension_decided": (
        "办理期限延长 {days} 天：{public_reason}",
        "Handling extended by {days} days: {public_reason}",
    ),
    "case.exposed": (
        "已查实并公开通报：{exposure_text}",
        "Verified and made public: {exposure_text}",
    ),
    "case.closed": ("已办结", "Closed"),
    "case.reopened": ("已重新办理", "Reopened"),
}
REPLIES = ("case.rejected", "case.closed")


def step_texts(event_type: str, payload: CaseEvent) -> tuple[str, str] | None:
    """The step the reporter sees for this event, or None."""
    template = STEPS.get(event_type)
    if template is None:
        return None
    if isinstance(payload, CaseExtensionDecided) and not payload.approved:
        return None  # a refused extension changes nothing the reporter waits for
    values = {k: ("" if v is None else v) for k, v in payload.model_dump().items()}
    return template[0].format(**values), template[1].format(**values)


async def follow_case_event(
    session: AsyncSession, envelope: Envelope, payload: CaseEvent, profiles: Profiles
) -> None:
    """Link reports to their case and record the public step, status and review window."""
    if envelope.type == "case.opened" and payload.report_id:
        await _link(session, payload.report_id, payload.case_id)
    if isinstance(payload, CaseMerged):
        await _link(session, payload.merged_report_id, payload.case_id)
        await _set_status(session, [payload.merged_report_id], "merged", payload.version)
    linked = await _linked(session, payload.case_id)
    texts = step_texts(envelope.type, payload)
    merged = payload.merged_report_id if isinstance(payload, CaseMerged) else None
    for row in linked:
        # Another reporter's report merging in is not news to this one.
        if texts and merged in (None, row.id):
            status = "merged" if merged else payload.status
            await _add_step(session, row.id, envelope, status, texts)
    await _set_status(
        session, [r.id for r in linked if r.status != "merged"], payload.status, payload.version
    )
    await _follow_case(session, envelope, payload, linked, profiles)
    await exposures.follow(session, envelope, payload)


async def _link(session: AsyncSession, report_id: str, case_id: str) -> None:
    await session.execute(update(reports).where(reports.c.id == report_id).values(case_id=case_id))


async def _linked(session: AsyncSession, case_id: str) -> list[Any]:
    query = select(reports.c.id, reports.c.status, reports.c.channel, reports.c.case_version)
    return list((await session.execute(query.where(reports.c.case_id == case_id))).all())


async def _add_step(
    session: AsyncSession, report_id: str, envelope: Envelope, status: str, texts: tuple[str, str]
) -> None:
    await session.execute(
        insert(report_steps).values(
            report_id=report_id,
            event_id=f"{envelope.event_id}:{report_id}",
            at=envelope.occurred_at,
            status=status,
            text_zh=texts[0],
            text_en=texts[1],
        )
    )


async def _set_status(
    session: AsyncSession, report_ids: list[str], status: str, version: int
) -> None:
    if not report_ids:
        return
    # Out-of-order safe: only a newer case version moves the status.
    await session.execute(
        update(reports)
        .where(one_of(session, reports.c.id, report_ids), reports.c.status_version < version)
        .values(status=status, status_version=version)
    )


async def _follow_case(
    session: AsyncSession,
    envelope: Envelope,
    payload: CaseEvent,
    linked: list[Any],
    profiles: Profiles,
) -> None:
    """Case status and problem (Open311) and the review window, for every linked report."""
    for row in linked:
        if row.case_version >= payload.version:
            continue  # an older event arriving late changes nothing
        values: dict[str, Any] = {
            "case_status": payload.status,
            "case_version": payload.version,
            "problem": payload.problem,
            "updated_at": envelope.occurred_at,
        }
        values |= _review_window(envelope, row.channel, profiles)
        await session.execute(update(reports).where(reports.c.id == row.id).values(**values))


def _review_window(envelope: Envelope, channel: str, profiles: Profiles) -> dict[str, Any]:
    """A reply opens the window (30 days by default); reopening the case closes it."""
    if envelope.type in REPLIES:
        due = profiles.for_channel(channel).deadline("review_request", envelope.occurred_at).due
        return {"replied_at": envelope.occurred_at, "review_until": due}
    if envelope.type == "case.reopened":
        return {"replied_at": None, "review_until": None}
    return {}


def review_open(row: Any, now: datetime) -> bool:
    """Whether the reporter may ask for a review now: within the window of the last reply,
    which a request closes (so each reply allows one, whatever the services' clocks say)."""
    return row.replied_at is not None and row.review_until is not None and now <= row.review_until


async def view(
    session: AsyncSession, tracking_hash: str, english: bool, now: datetime
) -> dict[str, Any] | None:
    """The reporter's view by the keyed hash of their tracking code."""
    row = (
        await session.execute(select(reports).where(reports.c.tracking_hash == tracking_hash))
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
    return {
        "status": row.status,
        "steps": [
            {
                "at": step.at.isoformat(),
                "status": step.status,
                "text": step.text_en if english else step.text_zh,
            }
            for step in steps
        ],
        "review_until": row.review_until.isoformat() if review_open(row, now) else None,
    }
