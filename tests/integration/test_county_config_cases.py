"""A county's own configuration end to end through cases (real NATS and database): a report
from the county is routed to the county's own unit, its deadline skips the county's extra
holiday; and `deadlines recompute` moves a provisional deadline once a year's table arrives and
publishes the change."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.cases.recompute import recompute
from shared import configdir
from shared.deadlines import local_day
from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import Clock, Running, cases_running, own_nats, published

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
COUNTY = Path(__file__).parents[1] / "data" / "county_wucheng"
ABSENT = "武城县老城镇夏庄村的驻村工作队员一个月来一两次，平时根本不在村里住，群众有事找不到人。"


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[Path]:
    root = Path(shutil.copytree(COUNTY, tmp_path / "county"))
    yield root
    configdir.deactivate()


async def opened(running: Running) -> dict[str, Any]:
    report = await running.report(county="371428", content=ABSENT)
    return await running.case_of(report.aggregate_id)


def due_day(case: dict[str, Any], kind: str) -> tuple[date, bool]:
    [clock] = [d for d in case["deadlines"] if d["kind"] == kind]
    return local_day(datetime.fromisoformat(clock["due"])), clock["provisional"]


async def test_a_county_report_goes_to_its_own_unit_and_skips_its_holiday(
    own_nats: NatsProcess, database_url: str, tmp_path: Path, county: Path
) -> None:
    var = tmp_path / "var"
    async with cases_running(own_nats.url, database_url, var, Clock(), config_dir=county) as r:
        case = await opened(r)
    assert case["handling_unit"] == "wc-fpb"  # a unit only the county's directory has
    # Monday 3 March + 5 working days, Wednesday 5 March off in the county's table: Tuesday 11th.
    assert due_day(case, "register_and_dispose") == (date(2025, 3, 11), False)


async def test_recompute_moves_provisional_deadlines_and_publishes_them(
    own_nats: NatsProcess, database_url: str, tmp_path: Path, county: Path
) -> None:
    monday = Clock(datetime(2027, 3, 1, 2, 0, tzinfo=UTC))  # 2027: no table yet
    var = tmp_path / "var"
    async with cases_running(own_nats.url, database_url, var, monday, config_dir=county) as r:
        case = await opened(r)
        assert due_day(case, "register_and_dispose") == (date(2027, 3, 8), True)
        assert await recompute(r.ctx) == []  # no new table: nothing moves
        table = "year: 2027\nsource: tests\nholidays: [2027-03-03]\n"
        (county / "holidays" / "2027.yaml").write_text(table)
        [moved] = await recompute(r.ctx)
        # Both working-day clocks of a new case move: the handling deadline and the window to
        # dispute the assignment (退单, issue 26).
        assert moved.case_id == case["id"]
        assert sorted(moved.changes) == ["assignment_dispute", "register_and_dispose"]
        assert await recompute(r.ctx) == []  # done once: no longer provisional
        after = await r.detail(case["id"])
        events = await published(r.js, case["id"], 2)
    assert due_day(after, "register_and_dispose") == (date(2027, 3, 9), False)
    # Monday 1 March + 3 working days, Wednesday 3 March off: Friday 5th (not Thursday 4th).
    assert due_day(after, "assignment_dispute") == (date(2027, 3, 5), False)
    event = events[-1]
    assert (event.type, event.schema_version, event.sequence) == ("case.deadlines_recomputed", 1, 2)
    [new] = [d for d in event.data["deadlines"] if d["kind"] == "register_and_dispose"]
    [old] = [d for d in event.data["previous"] if d["kind"] == "register_and_dispose"]
    assert (new["provisional"], old["provisional"]) == (False, True)
    assert local_day(datetime.fromisoformat(new["due"])) == date(2027, 3, 9)
