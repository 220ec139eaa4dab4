"""An officer's reclassification becomes the classifier's data (issue 24), on a real
nats-server and PostgreSQL/SQLite: the report about no listed problem waits in triage with the
classifier's three candidates shown, and the `reclassify` records a correction row with the
text's features and the old and new problem, never the text or the reporter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.cases.classifier.corrections import classifier_corrections, latest
from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import CITY, Clock, Running, cases_running, own_nats
from tests.officials import session_headers

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]  # the fixture, imported for pytest

TEXT = (
    "俺是贫困户王大娘，电话13911112222，去镇上办事，干部客客气气，就是一直不给办，等通知等了半年。"
)


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def test_reclassify_records_a_correction_without_the_text(running: Running) -> None:
    outside = await running.report(content="村东头的柏油路坑坑洼洼，希望尽快修一修。")
    case = await running.case_of(outside.aggregate_id)
    assert case["triage"] and case["problem"] is None  # not forced into a problem
    who = await session_headers(running.app, "city-fpb", "city_office")
    queue = await running.http.get("/triage", headers=who)
    assert queue.status_code == 200 and "分类候选（前三）" in queue.text

    found = await running.report(content=TEXT)
    opened = await running.case_of(found.aggregate_id)
    old = opened["problem"]
    new = 10 if old != 10 else 13
    await running.act(opened["id"], "reclassify", CITY, {"problem": new})
    page = await running.http.get(f"/case/{opened['id']}", headers=who)
    assert page.status_code == 200 and "分类候选（前三）" in page.text and "置信度" in page.text

    async with running.ctx.db.sessions() as session:
        rows = (await session.execute(select(classifier_corrections))).mappings().all()
        waiting = await latest(session, unfolded_only=True)
    assert len(rows) == 1 and [r["case_id"] for r in waiting] == [opened["id"]]
    row = rows[0]
    assert (row["old_problem"], row["new_problem"]) == (old, new)
    assert row["by_unit"] == "city-fpb" and row["features"] and row["model_version"]
    kept = [*row["features"], *row["terms"]]
    assert "贫困户" in kept or "贫困" in kept
    assert not any("王大娘" in k or "大娘" in k or any(c.isdigit() for c in k) for k in kept)
    assert TEXT not in str(dict(row))


async def _seed(url: str) -> None:
    from services.cases.classifier.corrections import record
    from shared import migrate
    from shared.db import Database

    await asyncio.to_thread(migrate.upgrade, "cases", url)
    db = Database(url)
    async with db.sessions() as session, session.begin():
        at = datetime.now(UTC)
        await record(session, "case-a", "驻村干部一个月来一次，平时找不到人", None, 18, "u", at)
        await record(session, "case-b", "镇干部对贫困户的事一拖再拖", 10, 13, "u", at)
        await record(session, "case-b", "镇干部对贫困户的事一拖再拖", 13, 7, "u", at)  # counts
    await db.dispose()


def test_retrain_folds_accepted_corrections_once(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from services.cases.classifier.corpus import CORRECTIONS, load_part
    from services.cli import app

    url = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"
    asyncio.run(_seed(url))
    env = {"ZUOFENG_CASES_DATABASE_URL": url}
    runner = CliRunner()
    listed = runner.invoke(app, ["classifier", "retrain"], env=env)
    assert listed.exit_code == 0 and "2 correction(s) waiting" in listed.output, listed.output
    args = ["classifier", "retrain", "--accept", "all", "--corpus", str(tmp_path)]
    folded = runner.invoke(app, args, env=env)
    assert folded.exit_code == 0 and "2 correction(s) folded" in folded.output, folded.output
    examples = load_part(CORRECTIONS, tmp_path)
    assert [e.labels for e in examples] == [(18,), (7,)]
    assert all(e.features and not e.text for e in examples)
    again = runner.invoke(app, ["classifier", "retrain"], env=env)
    assert "0 correction(s) waiting" in again.output
    shown = runner.invoke(app, ["classifier", "evaluate"], env=env)
    assert shown.exit_code == 0 and "recorded corrections (cases database): 2" in shown.output
