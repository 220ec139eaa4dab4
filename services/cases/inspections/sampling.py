"""Where to inspect next (`zuofeng inspections sample`): the county's units that can be visited
(leading group, office, townships, villages, work teams), each weighted by the reports against
it, its substantiated cases, its overdue handling (cases and tasks) and the time since it was last
visited; a seeded weighted draw without replacement (Efraimidis-Spirakis), recorded with every
candidate's weight so it can be checked and repeated."""

from __future__ import annotations

import json
import random
import secrets
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from services.cases.context import Context
from services.cases.inspections.tables import inspections, sampling_draws
from services.cases.models import case_reports, cases
from services.cases.tasks.tables import tasks
from shared.deadlines import local_day

VISITABLE = ("leading_group", "office", "township", "village", "work_team")
NEVER_VISITED_DAYS = 365  # and the cap: a year unvisited weighs as much as never


@dataclass(frozen=True)
class Candidate:
    unit: str
    name: str
    reports: int
    substantiated: int
    overdue: int
    days_since_visit: int

    @property
    def weight(self) -> float:
        """1 for every unit, plus its risk: substantiated cases and overdue work count most."""
        days = min(self.days_since_visit, NEVER_VISITED_DAYS)
        return 1 + self.reports + 3 * self.substantiated + 2 * self.overdue + days / 30


def draw(candidates: list[Candidate], n: int, seed: str) -> list[Candidate]:
    """`n` candidates, each chosen with probability proportional to its weight, without
    replacement; the same seed and candidates give the same draw."""
    rng = random.Random(seed)
    keyed = [(rng.random() ** (1 / c.weight), c) for c in sorted(candidates, key=lambda c: c.unit)]
    return [c for _, c in sorted(keyed, key=lambda kc: kc[0], reverse=True)[:n]]


async def sample(ctx: Context, county: str, n: int, seed: str | None = None) -> dict[str, Any]:
    """Weigh the county's units, draw `n`, record the draw; returns what was recorded."""
    seed = seed or secrets.token_hex(8)
    now = ctx.now()
    found = await candidates(ctx, county, now)
    picked = draw(found, n, seed)
    row = {
        "id": str(uuid.uuid4()), "county": county, "n": n, "seed": seed, "drawn_at": now,
        "candidates": [asdict(c) | {"weight": round(c.weight, 3)} for c in found],
        "picked": [c.unit for c in picked],
    }  # fmt: skip
    async with ctx.db.sessions() as session, session.begin():
        await session.execute(insert(sampling_draws).values(**row))
    return row


async def candidates(ctx: Context, county: str, now: datetime) -> list[Candidate]:
    units = [u for u in ctx.directory.units() if u.county == county and u.kind in VISITABLE]
    reports, substantiated, overdue = await _case_counts(ctx, county)
    last = await _last_visits(ctx, county)
    today = local_day(now)
    out = []
    for unit in units:
        seen = last.get(unit.id) or last.get(unit.name)
        days = (today - seen).days if seen else NEVER_VISITED_DAYS
        out.append(Candidate(unit.id, unit.name, reports[unit.id], substantiated[unit.id],
                             overdue[unit.id], days))  # fmt: skip
    return out


async def _case_counts(ctx: Context, county: str) -> tuple[Counter[str], ...]:
    reports: Counter[str] = Counter()
    substantiated: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    linked = (
        select(case_reports.c.case_id, func.count().label("n"))
        .group_by(case_reports.c.case_id)
        .subquery()
    )
    query = (
        select(
            cases.c.accused_unit,
            cases.c.accused_units,
            cases.c.finding,
            cases.c.overdue,
            cases.c.handling_unit,
            linked.c.n,
        )  # fmt: skip
        .outerjoin(linked, linked.c.case_id == cases.c.id)
        .where(cases.c.county == county)
    )
    late = select(tasks.c.responsible_unit).where(tasks.c.overdue.is_(True))
    async with ctx.db.sessions() as session:
        for row in (await session.execute(query)).mappings():
            accused = set(json.loads(row["accused_units"] or "[]")) | {row["accused_unit"]}
            for unit in accused - {None}:
                reports[unit] += row["n"] or 1
                substantiated[unit] += row["finding"] in ("substantiated", "partly")
            overdue[row["handling_unit"]] += bool(row["overdue"])
        overdue.update((await session.execute(late)).scalars())
    return reports, substantiated, overdue


async def _last_visits(ctx: Context, county: str) -> dict[str, Any]:
    """The last visit day per place named (a township or village, by name or unit id)."""
    query = select(inspections.c.township, inspections.c.village, inspections.c.visit_on).where(
        inspections.c.county == county, inspections.c.status == "visited"
    )
    last: dict[str, Any] = {}
    async with ctx.db.sessions() as session:
        for township, village, day in (await session.execute(query)).all():
            for place in (township, village):
                if place and (place not in last or last[place] < day):
                    last[place] = day
    return last
