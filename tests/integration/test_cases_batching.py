"""Openings a batch at a time on PostgreSQL and SQLite (a single event is a batch of one): many
reports share one transaction, yet repeats (of an open case or of each other) still merge,
duplicates change nothing, and a batch that fails writes nothing, so the bus can hand its
reports back one by one and only the poisoned one fails."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from services.cases.context import Context
from services.cases.handlers import when_reports_arrive
from services.cases.intake_events import batch
from services.cases.models import case_history, case_reports, cases
from services.cases.settings import CasesSettings
from shared.db import OUTBOX
from shared.deadlines import load_profiles
from shared.directory import load_directory
from shared.events import Envelope, parse_payload
from tests.factories import report_received
from tests.integration.dbutil import migrated
from tests.integration.test_cases_harness import TIMELY, Clock

pytestmark = pytest.mark.integration


@pytest.fixture
async def ctx(database_url: str, tmp_path: Path) -> Any:
    db = await migrated(database_url)
    settings = CasesSettings(var_dir=tmp_path)
    yield Context(settings, db, load_directory(), load_profiles(), tmp_path / "keys", now=Clock())
    await db.dispose()


def report(n: int, **fields: Any) -> Envelope:
    values = {"county": "371402", "content": f"第{n}件：{TIMELY}", "subject_person": f"人{n}"}
    return report_received(**{**values, **fields})


async def open_all(ctx: Context, envelopes: list[Envelope]) -> None:
    """The envelopes as one pulled batch."""
    await when_reports_arrive(ctx)([(e, parse_payload(e)) for e in envelopes])


async def table_counts(ctx: Context) -> dict[str, int]:
    async with ctx.db.sessions() as session:
        return {
            t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (cases, case_reports, case_history, OUTBOX)
        }


async def test_many_reports_share_a_commit(ctx: Context) -> None:
    commits = Counter[str]()
    engine = ctx.db.engine.sync_engine
    count = lambda connection: commits.update(["commits"])  # noqa: E731
    event.listen(engine, "commit", count)
    try:
        await open_all(ctx, [report(n) for n in range(100)])
    finally:
        event.remove(engine, "commit", count)
    assert await table_counts(ctx) == {
        "cases": 100,
        "case_reports": 100,
        "case_history": 100,
        "outbox": 100,
    }
    assert commits["commits"] == 1


async def test_repeats_in_and_across_batches_still_merge(ctx: Context) -> None:
    await open_all(ctx, [report(0, subject_person="孙八")])
    same = [report(n, subject_person="孙八") for n in range(1, 6)]
    pair = [report(9, subject_person="周九"), report(10, subject_person="周 九")]
    await open_all(ctx, [*same, *pair, report(11)])
    counts = await table_counts(ctx)
    assert counts["cases"] == 3 and counts["case_reports"] == 9
    async with ctx.db.sessions() as session:
        roles = Counter((await session.execute(select(case_reports.c.role))).scalars())
        merged = (
            await session.execute(
                select(case_history.c.case_id, case_history.c.sequence).where(
                    case_history.c.event_type == "case.merged"
                )
            )
        ).all()
    assert roles == {"opened": 3, "merged": 6}
    # Each repeat joined the first case of its matter, in the order the reports came.
    by_case = Counter(case_id for case_id, _ in merged)
    assert sorted(by_case.values()) == [1, 5]
    assert sorted(seq for _, seq in merged) == [2, 2, 3, 4, 5, 6]


async def test_duplicates_change_nothing(ctx: Context) -> None:
    first = report(1)
    renamed = first.model_copy(update={"event_id": uuid.uuid4()})
    await open_all(ctx, [first, first, renamed])
    await open_all(ctx, [first, renamed])
    assert (await table_counts(ctx))["cases"] == 1


async def test_a_failed_batch_writes_nothing_and_each_report_then_goes_alone(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = [report(n) for n in range(5)]
    poisoned = parse_payload(reports[2]).report_id  # type: ignore[attr-defined]
    decide = batch.decide_opening

    def poisoning(received: Any, *args: Any) -> Any:
        if received.report_id == poisoned:
            raise RuntimeError("poisoned report")
        return decide(received, *args)

    monkeypatch.setattr(batch, "decide_opening", poisoning)
    with pytest.raises(RuntimeError, match="poisoned"):
        await open_all(ctx, reports)
    assert (await table_counts(ctx))["cases"] == 0
    for envelope in reports:  # what the bus does with a failed batch
        if envelope is reports[2]:
            with pytest.raises(RuntimeError, match="poisoned"):
                await open_all(ctx, [envelope])
        else:
            await open_all(ctx, [envelope])
    assert (await table_counts(ctx))["cases"] == 4
