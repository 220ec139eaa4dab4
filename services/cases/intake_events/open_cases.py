"""The open cases a batch of reports may repeat, read at once (more than the rule needs, never
fewer: `matters.repeats` decides). Two replicas may receive two repeats at once: on PostgreSQL
each batch first takes transaction-scoped advisory locks on its reports' repeat keys, so the
second waits for the first's cases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.intake_events.matters import Matter
from services.cases.models import case_reports, cases
from shared.db import one_of

REPLIED = ("closed", "rejected")
OPEN = cases.c.status.notin_(REPLIED)
LOCK = text(
    "SELECT count(pg_advisory_xact_lock(k))"
    " FROM (SELECT unnest(CAST(:ids AS bigint[])) AS k ORDER BY 1) AS ordered"
)


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


async def lock_keys(session: AsyncSession, keys: list[str]) -> None:
    """Serialise openings that could repeat each other (PostgreSQL; SQLite has one writer)."""
    if not keys or session.get_bind().dialect.name == "sqlite":
        return
    ids = sorted({_lock_id(key) for key in keys})  # taken in one order: no deadlock
    await session.execute(LOCK, {"ids": ids})


async def open_matters(session: AsyncSession, reports: Sequence[Matter]) -> list[Matter]:
    """The open cases sharing an accused and a problem with one of the reports, or a reporter."""
    units = {(r.county, r.problem, r.accused) for r in reports if r.problem is not None}
    people = {(r.county, r.problem, r.person) for r in reports if r.problem is not None}
    units = {u for u in units if u[2]}
    people = {p for p in people if p[2]}
    reporters = {r.reporter or "" for r in reports if r.reporter and (r.accused or r.person)}
    if not (units or people or reporters):
        return []
    by_reporter = select(case_reports.c.case_id).where(
        one_of(session, case_reports.c.reporter_index, reporters)
    )
    wanted = [cases.c.id.in_(by_reporter)] if reporters else []
    if units:
        wanted.append(tuple_(cases.c.county, cases.c.problem, cases.c.accused_unit).in_(units))
    if people:
        person = tuple_(cases.c.county, cases.c.problem, cases.c.subject_person_key)
        wanted.append(person.in_(people))
    c = cases.c
    columns = (c.id, c.county, c.problem, c.accused_unit, c.subject_person_key, c.received_at)
    rows = (await session.execute(select(*columns).where(OPEN, or_(*wanted)))).all()
    found = {
        id_: Matter(county, problem, accused, person, case_id=id_, received_at=at)
        for id_, county, problem, accused, person, at in rows
    }
    if reporters and found:
        await _add_reporters(session, found, reporters)
    return list(found.values())


async def _add_reporters(
    session: AsyncSession, found: dict[str, Matter], reporters: set[str]
) -> None:
    """Each found case's reports' indexes among `reporters` (all the rule ever asks about)."""
    query = select(case_reports.c.case_id, case_reports.c.reporter_index).where(
        one_of(session, case_reports.c.reporter_index, reporters),
        one_of(session, case_reports.c.case_id, found),
    )
    for case_id, reporter in (await session.execute(query)).all():
        found[case_id].reporters.add(reporter)
