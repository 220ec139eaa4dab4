"""The accused unit never sees its case, nor does any unit under it, even where the case is in
its own scope: checked with explicit expectations (not SQL against Python) in the SQL filter,
the list route and the detail route (404), on PostgreSQL and SQLite.

In the directory 371422-chaihudian and 371422-duji are townships under 371422-fpb, which is
under 371422-lg (locality) and city-fpb (sector); 371422-fpb supervises the townships.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from services.cases.models import cases
from services.cases.scope import case_filter
from shared.auth import Principal
from shared.directory import load_directory
from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import Clock, Running, cases_running, headers, own_nats

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]  # the fixture, imported for pytest
D = load_directory()

# id -> (handling, lead, accused, escalated_to)
UNDER = {
    "handled-under": ("371422-chaihudian", None, "371422-fpb", None),
    "led-under": ("city-fpb", "371422-chaihudian", "371422-fpb", None),
    "escalated-under": ("city-fpb", None, "371422-lg", "371422-fpb"),
    "supervised-under": ("371422-chaihudian", None, "371422-lg", None),
    "sibling-accused": ("371422-chaihudian", None, "371422-duji", None),  # not above: shown
}
OWN_SCOPE = {
    "handler-accused": ("371422-fpb", None, "371422-fpb", None),
    "lead-accused": ("city-fpb", "371422-fpb", "371422-fpb", None),
    "supervisor-accused": ("371422-fpb", None, "371422-lg", None),
    "office-accused": ("city-jw", None, "city-fpb", None),
}
# (unit, role) -> the cases of UNDER / OWN_SCOPE it sees; every other one is hidden.
SEES_UNDER = {
    ("371422-chaihudian", "officer"): {"sibling-accused"},
    ("371422-chaihudian", "leader"): {"sibling-accused"},
    ("371422-fpb", "supervisor"): {"sibling-accused"},
    ("371422-lg", "supervisor"): {"handled-under", "led-under", "sibling-accused"},
    ("city-fpb", "officer"): {"led-under", "escalated-under"},
}
SEES_OWN = {
    ("371422-fpb", "officer"): set(),
    ("371422-fpb", "leader"): set(),
    ("371422-lg", "supervisor"): {"handler-accused", "lead-accused"},
    ("city-fpb", "officer"): {"lead-accused"},
    ("city-fpb", "city_office"): {"handler-accused", "lead-accused", "supervisor-accused"},
    ("city-jw", "officer"): {"office-accused"},
}


def case_row(case_id: str, handling: str, lead: str | None, accused: str, to: str | None) -> Any:
    now = datetime.now(UTC)
    return {
        "id": case_id,
        "report_id": f"report-{case_id}",
        "county": "371422",
        "handling_county": D.unit(handling).county,
        "handling_unit": handling,
        "lead_unit": lead,
        "co_units": [],
        "accused_unit": accused,
        "rectifying_unit": None,
        "receiving_unit": None,
        "escalated_to": to,
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


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        async with r.ctx.db.sessions() as session, session.begin():
            rows = [case_row(cid, *units) for cid, units in (UNDER | OWN_SCOPE).items()]
            await session.execute(insert(cases), rows)
        yield r


async def check(running: Running, ids: set[str], sees: dict[tuple[str, str], set[str]]) -> None:
    """Each caller sees exactly its cases of `ids` in SQL, in the list and in the detail (every
    layer's mismatches are reported together)."""
    wrong = []
    for (unit, role), expected in sees.items():
        caller = Principal(sub="t", unit=unit, role=role)  # type: ignore[arg-type]
        async with running.ctx.db.sessions() as session:
            query = select(cases.c.id).where(case_filter(D, caller))
            in_sql = set((await session.execute(query)).scalars()) & ids
        who = headers(unit, role)
        listed = await running.http.get("/api/v1/cases?limit=500", headers=who)
        assert listed.status_code == 200, listed.text
        in_list = {item["id"] for item in listed.json()["items"]} & ids
        in_detail = set()
        for case_id in sorted(ids):
            answer = await running.http.get(f"/api/v1/cases/{case_id}", headers=who)
            assert answer.status_code in (200, 404), answer.text
            if answer.status_code == 200:
                in_detail.add(case_id)
        for layer, seen in (("sql", in_sql), ("list", in_list), ("detail", in_detail)):
            if seen != expected:
                wrong.append((layer, unit, role, sorted(seen - expected), sorted(expected - seen)))
    assert not wrong, "(layer, unit, role, shown but hidden, hidden but shown): " + repr(wrong)


async def test_units_under_the_accused_never_see_its_case(running: Running) -> None:
    await check(running, set(UNDER), SEES_UNDER)


async def test_the_accused_never_sees_its_case_in_its_own_scope(running: Running) -> None:
    await check(running, set(OWN_SCOPE), SEES_OWN)
