"""Repeat reports (同一事项): an open case in the same county for the same problem with the same
accused unit or person, or one the same reporter (blind index) made about the same accused, takes
the new report in (`case.merged`) instead of a second case (Art 19; kept, not dropped: Art 14).

The rule is `repeats`, over a `Matter` (a report's or a case's). `open_matters` reads the open
cases a batch of reports may repeat (more than needed, never fewer); a batch's own new cases join
them as it goes. Two replicas may receive two repeats at once: on PostgreSQL each batch takes
transaction-scoped advisory locks on its reports' repeat keys first, so the second waits.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.models import case_reports, cases
from shared.db import one_of

REPLIED = ("closed", "rejected")
OPEN = cases.c.status.notin_(REPLIED)
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


@dataclass
class Matter:
    """What a report is about, or an open case is about (`reporters`: its reports' indexes)."""

    county: str
    problem: int | None
    accused: str | None
    person: str | None
    reporters: set[str] = field(default_factory=set)
    case_id: str = ""
    received_at: datetime | None = None

    @property
    def reporter(self) -> str | None:
        """A report's own reporter index."""
        return next(iter(self.reporters), None)

    def lock_keys(self) -> list[str]:
        """The keys two repeats of one matter share (one of them, at least): the locks."""
        keys = []
        if self.problem is not None and self.accused:
            keys.append(f"unit|{self.county}|{self.problem}|{self.accused}")
        if self.problem is not None and self.person:
            keys.append(f"person|{self.county}|{self.problem}|{self.person}")
        if self.reporter and (self.accused or self.person):
            keys.append(f"reporter|{self.reporter}")
        return keys


def repeats(report: Matter, case: Matter) -> bool:
    """Whether the report is about the open case's matter: the same accused, and the same
    county and problem or the same reporter."""
    same_unit = bool(report.accused) and case.accused == report.accused
    same_person = bool(report.person) and case.person == report.person
    if not (same_unit or same_person):
        return False
    same_problem = report.problem is not None and report.problem == case.problem
    if same_problem and case.county == report.county:
        return True
    return bool(report.reporter) and report.reporter in case.reporters


def oldest_repeated(report: Matter, open_cases: Iterable[Matter]) -> Matter | None:
    """The oldest open case the report repeats, or None."""
    found = [case for case in open_cases if repeats(report, case)]
    return min(found, key=lambda c: (c.received_at, c.case_id), default=None)


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
