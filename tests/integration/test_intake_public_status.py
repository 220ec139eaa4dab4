"""Case openings followed as one batch: each report linked, its step added and its status moved
as the rules say, whatever shape the report was in; reports not ours are skipped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from services.intake.models import exposures, report_steps, reports
from services.intake.public_status import follow_case_events
from shared.db import Database
from shared.events import Envelope, make_event
from shared.events.cases import CaseOpened
from tests.integration.dbutil import migrated

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# (status, status_version, case_version) before the opening arrives, and whether an exposure
# row is already on record for the case (it never is for a true opening, but the rule holds)
SHAPES = [
    ("received", 0, 0, False),
    ("received", 0, 0, False),
    ("merged", 0, 0, False),  # a merged report keeps its status
    ("accepted", 3, 3, False),  # a later event got here first: the opening changes no status
    ("received", 0, 0, True),
]


async def _reports(db: Database, group: str) -> list[str]:
    ids = []
    async with db.sessions() as session, session.begin():
        for n, (status, status_version, case_version, _) in enumerate(SHAPES):
            report_id = f"{group}-{n}-{uuid.uuid4().hex[:8]}"
            ids.append(report_id)
            await session.execute(
                insert(reports).values(
                    id=report_id,
                    tracking_hash=uuid.uuid4().hex,
                    county="371402",
                    channel="web",
                    content="驻村干部长期不在岗",
                    anonymous=True,
                    status=status,
                    status_version=status_version,
                    case_version=case_version,
                    created_at=T0,
                    updated_at=T0,
                )  # fmt: skip
            )
    return ids


def _opening(report_id: str | None, n: int) -> tuple[Envelope, CaseOpened]:
    case_id = str(uuid.uuid4())
    payload = CaseOpened(
        case_id=case_id, county="371402", status="received", version=1,
        handling_unit="371402-fpb", problem=18, report_id=report_id, channel="web",
        received_at=T0,
    )  # fmt: skip
    envelope = make_event(
        payload, county="371402", aggregate_id=case_id, sequence=1, producer="cases",
        occurred_at=T0 + timedelta(minutes=n),
    )  # fmt: skip
    return envelope, payload


async def _exposed(db: Database, opening: tuple[Envelope, CaseOpened]) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(
            insert(exposures).values(
                case_id=opening[1].case_id,
                report_id=opening[1].report_id,
                county="371402",
                case_status="received",
                case_version=0,
                problem=None,
                exposure_text="通报",
                requested_at=T0,
                exposed_at=T0,
                updated_at=T0,
            )  # fmt: skip
        )


async def _all(session: Any, table: Any, where: Any) -> list[Any]:
    return list((await session.execute(select(table).where(where))).all())


async def _state(db: Database, ids: list[str], cases: list[str]) -> list[Any]:
    """What a reporter (and Open311) would see of these reports, by their place in SHAPES."""
    async with db.sessions() as session:
        rows = (await session.execute(select(reports).where(reports.c.id.in_(ids)))).all()
        steps = await _all(session, report_steps, report_steps.c.report_id.in_(ids))
        shown = await _all(session, exposures, exposures.c.case_id.in_(cases))
    place = {report_id: n for n, report_id in enumerate(ids)} | {c: n for n, c in enumerate(cases)}
    seen = [
        (place[r.id], r.status, r.status_version, r.case_status, r.case_version, r.problem,
         r.updated_at, place.get(r.case_id))
        for r in rows
    ]  # fmt: skip
    seen += [(place[s.report_id], s.status, s.at, s.text_zh, s.text_en) for s in steps]  # type: ignore[misc]
    seen += [(place[e.case_id], e.case_status, e.case_version, e.problem) for e in shown]  # type: ignore[misc]
    return sorted(seen, key=repr)


def _expected() -> list[Any]:
    """By place in SHAPES: the report row, its one step, and the exposure on record."""
    texts = ("已登记，正在分办", "Registered; being assigned")
    at = [T0 + timedelta(minutes=n) for n in range(len(SHAPES))]
    rows = [
        (0, "received", 1, "received", 1, 18, at[0], 0),
        (1, "received", 1, "received", 1, 18, at[1], 1),
        (2, "merged", 0, "received", 1, 18, at[2], 2),  # a merged report keeps its status
        (3, "accepted", 3, None, 3, None, T0, 3),  # a later event got here first
        (4, "received", 1, "received", 1, 18, at[4], 4),
    ]
    steps = [(n, "received", at[n], *texts) for n in range(len(SHAPES))]
    return sorted([*rows, *steps, (4, "received", 1, 18)], key=repr)


async def test_openings_link_step_and_move_each_report(database_url: str) -> None:
    db = await migrated(database_url, "intake")
    ids = await _reports(db, "batch")
    openings = [_opening(report_id, n) for n, report_id in enumerate(ids)]
    openings.append(_opening("batch-not-ours", len(ids)))  # a report intake never had
    for opening, shape in zip(openings, SHAPES, strict=False):
        if shape[3]:
            await _exposed(db, opening)
    async with db.sessions() as session, session.begin():
        await follow_case_events(session, list(openings))
    seen = await _state(db, ids, [p.case_id for _, p in openings])
    await db.dispose()
    assert seen == _expected()
    assert len(seen) == len(SHAPES) * 2 + 1  # every report, one step each, one exposure
