"""Which reports each case answers to (its opening report, and repeats merged in): the
reporters a case event tells."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import case_reports
from shared.db import one_of
from shared.events.cases import CaseEvent


async def link_reports(session: AsyncSession, events: list[tuple[str, CaseEvent]]) -> None:
    """Remember which reports each case answers to (its opening report, and repeats merged in)."""
    pairs: dict[tuple[str, str], bool] = {}
    for event_type, payload in events:
        if payload.report_id:
            pairs.setdefault((payload.case_id, payload.report_id), False)
        merged = getattr(payload, "merged_report_id", None)
        if event_type == "case.merged" and merged:
            pairs.setdefault((payload.case_id, merged), True)
    if not pairs:
        return
    known = await session.execute(
        select(case_reports.c.case_id, case_reports.c.report_id).where(
            one_of(session, case_reports.c.case_id, {c for c, _ in pairs})
        )
    )
    for pair in known.all():
        pairs.pop((pair.case_id, pair.report_id), None)
    if pairs:
        rows = [{"case_id": c, "report_id": r, "merged": m} for (c, r), m in pairs.items()]
        await session.execute(insert(case_reports), rows)


async def reports_of(session: AsyncSession, case_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each case's reports, in report id order."""
    ids = set(case_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(case_reports.c.case_id, case_reports.c.report_id)
        .where(one_of(session, case_reports.c.case_id, ids))
        .order_by(case_reports.c.report_id)
    )
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row.case_id, []).append(row.report_id)
    return out
