"""Repeat reports (同一事项): an open case in the same county for the same problem with the same
accused unit or person, or one the same reporter (blind index) made about the same accused, takes
the new report in (`case.merged`) instead of a second case (Art 19; kept, not dropped: Art 14).

Two replicas may receive two repeats at once: on PostgreSQL each report takes transaction-scoped
advisory locks on its repeat keys before looking, so the second waits for the first case.
"""

from __future__ import annotations

import hashlib
import unicodedata

from sqlalchemy import ColumnElement, and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.models import case_reports, cases

REPLIED = ("closed", "rejected")
LOCK = text(
    "SELECT count(pg_advisory_xact_lock(k))"
    " FROM (SELECT unnest(CAST(:ids AS bigint[])) AS k ORDER BY 1) AS ordered"
)


def person_key(name: str | None) -> str | None:
    """A person's name as compared for repeats (full-width forms and spaces folded)."""
    if not name:
        return None
    folded = "".join(unicodedata.normalize("NFKC", name).split()).lower()
    return folded or None


def repeat_keys(
    county: str, problem: int | None, accused: str | None, person: str | None, reporter: str | None
) -> list[str]:
    """The keys two repeats of one matter share (one of them, at least)."""
    keys = []
    if problem is not None and accused:
        keys.append(f"unit|{county}|{problem}|{accused}")
    if problem is not None and person:
        keys.append(f"person|{county}|{problem}|{person}")
    if reporter and (accused or person):
        keys.append(f"reporter|{reporter}")
    return keys


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


async def lock_keys(session: AsyncSession, keys: list[str]) -> None:
    """Serialise openings that could repeat each other (PostgreSQL; SQLite has one writer)."""
    if not keys or session.get_bind().dialect.name == "sqlite":
        return
    ids = sorted({_lock_id(key) for key in keys})  # taken in one order: no deadlock
    await session.execute(LOCK, {"ids": ids})


def _same_accused(accused: str | None, person: str | None) -> ColumnElement[bool]:
    conditions = []
    if accused:
        conditions.append(cases.c.accused_unit == accused)
    if person:
        conditions.append(cases.c.subject_person_key == person)
    return or_(*conditions)


async def find_repeat(
    session: AsyncSession,
    county: str,
    problem: int | None,
    accused: str | None,
    person: str | None,
    reporter: str | None,
) -> str | None:
    """The oldest open case this report repeats, or None."""
    if not (accused or person):
        return None  # nothing says it is the same matter
    conditions = []
    if problem is not None:
        same = and_(cases.c.county == county, cases.c.problem == problem)
        conditions.append(and_(same, _same_accused(accused, person)))
    if reporter:
        linked = case_reports.c.reporter_index == reporter
        by_reporter = select(case_reports.c.case_id).where(linked)
        conditions.append(and_(cases.c.id.in_(by_reporter), _same_accused(accused, person)))
    if not conditions:
        return None
    query = (
        select(cases.c.id)
        .where(cases.c.status.notin_(REPLIED), or_(*conditions))
        .order_by(cases.c.received_at, cases.c.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar()
