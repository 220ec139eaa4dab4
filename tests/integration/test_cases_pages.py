"""The officials' pages of cases over HTTP (issue 17), on a real nats-server and PostgreSQL and
SQLite, signed in with a page session on the app's own bus: each page for the roles allowed,
403 for other roles, 404 (never a hint) for a case outside the caller's scope, the sign-in
redirect when signed out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import Clock, Running, cases_running, own_nats
from tests.officials import session_cookie

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]  # the fixture, imported for pytest

DECHENG = "371402-fpb"
OTHER_COUNTY = "371403-fpb"


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def page(running: Running, path: str, unit: str, role: str) -> Any:
    cookies = await session_cookie(running.app, unit, role)
    return await running.http.get(path, cookies=cookies)


async def test_workbench_lists_the_callers_cases_with_marks(running: Running) -> None:
    envelope = await running.report()
    case = await running.case_of(envelope.aggregate_id)
    answer = await page(running, "/workbench", DECHENG, "officer")
    assert answer.status_code == 200, answer.text
    assert case["id"][:8] in answer.text and "工作台" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    other = await page(running, "/workbench", OTHER_COUNTY, "officer")
    assert other.status_code == 200 and case["id"][:8] not in other.text
    running.clock.advance(days=20)  # register_and_dispose (15 days) missed
    late = await page(running, "/workbench?lang=en", DECHENG, "officer")
    assert 'class="overdue">overdue' in late.text, late.text
    assert (await page(running, "/workbench", DECHENG, "clerk")).status_code == 403


async def test_signed_out_goes_to_sign_in(running: Running) -> None:
    answer = await running.http.get("/workbench")
    assert answer.status_code == 303 and "/signin?next=%2Fworkbench" in answer.headers["location"]
