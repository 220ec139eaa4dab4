"""The SQL scope filter (lists) and the per-case relation (detail, actions) agree, on PostgreSQL
and SQLite, for every unit of the real directory in every reading role."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from services.cases.models import cases
from services.cases.scope import CASE_READERS, case_filter, relation
from shared.auth import Principal
from shared.directory import load_directory
from tests.integration.dbutil import migrated

pytestmark = pytest.mark.integration
D = load_directory()
SAMPLE = ["371402-fpb", "371422-fpb", "city-fpb", "city-jw", "371402-jw", "city-lg", "371422-lg"]
SAMPLE += ["city-zzb", "371422-chaihudian"]
# Further accused units the report's text named (JSON, as opening stores them); None: before.
ALSO_ACCUSED = [None, '["city-zzb"]', '["371402-fpb", "371422-chaihudian"]', '["city-jw"]']


def rows() -> list[dict[str, object]]:
    now = datetime.now(UTC)
    combos = itertools.product(
        ["371402-fpb", "city-fpb", "city-jw"],  # handling
        [None, "371422-fpb", "city-fpb", "371422-chaihudian"],  # accused
        [None, "371422-fpb"],  # rectifying
        [None, "371402-jw"],  # receiving
    )
    return [
        {
            "id": f"c{n}",
            "report_id": f"r{n}",
            "county": "371402",
            "handling_county": "371402",
            "handling_unit": handling,
            "lead_unit": "city-zzb" if n % 2 else None,
            "co_units": [],
            "accused_unit": accused,
            "accused_units": ALSO_ACCUSED[n % len(ALSO_ACCUSED)],
            "rectifying_unit": rectifying,
            "receiving_unit": receiving,
            "escalated_to": "city-lg" if n % 5 == 0 else None,
            "status": "received",
            "version": 1,
            "channel": "web",
            "triage": False,
            "exposed": False,
            "overdue": False,
            "content": "x",
            "received_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for n, (handling, accused, rectifying, receiving) in enumerate(combos)
    ]


async def test_sql_and_python_scope_agree(database_url: str) -> None:
    db = await migrated(database_url)
    data = rows()
    try:
        async with db.sessions() as session, session.begin():
            await session.execute(insert(cases), data)
        for unit, role in itertools.product(SAMPLE, CASE_READERS):
            caller = Principal(sub="t", unit=unit, role=role)  # type: ignore[arg-type]
            async with db.sessions() as session:
                query = select(cases.c.id).where(case_filter(D, caller))
                seen = set((await session.execute(query)).scalars())
            expected = {r["id"] for r in data if relation(D, caller, r) is not None}
            assert seen == expected, (unit, role)
    finally:
        await db.dispose()
