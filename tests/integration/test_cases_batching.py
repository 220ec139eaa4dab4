"""Group commit of openings on PostgreSQL and SQLite: many reports share one transaction, yet
repeats (of an open case or of each other) still merge, duplicates change nothing, and a batch
that fails leaves each report to its own transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.cases.batching import OpeningBatcher
from services.cases.models import case_history, case_reports, cases
from services.cases.reports import CONSUMER, receive_report
from services.cases.service import CasesService
from shared.db import OUTBOX
from shared.deadlines import load_profiles
from shared.directory import load_directory
from shared.events import Envelope, parse_payload
from tests.factories import report_received
from tests.integration.dbutil import migrated
from tests.integration.test_cases_harness import TIMELY, Clock

pytestmark = pytest.mark.integration


@pytest.fixture
async def service(database_url: str, tmp_path: Path) -> Any:
    db = await migrated(database_url)
    yield CasesService(db, load_directory(), load_profiles(), tmp_path / "keys", now=Clock())
    await db.dispose()


def report(n: int, **fields: Any) -> Envelope:
    values = {"county": "371402", "content": f"第{n}件：{TIMELY}", "subject_person": f"人{n}"}
    return report_received(**{**values, **fields})


async def open_all(batcher: OpeningBatcher, envelopes: list[Envelope]) -> None:
    parsed = [(e, parse_payload(e)) for e in envelopes]
    await asyncio.gather(*(batcher.open(e, p) for e, p in parsed))


async def table_counts(service: CasesService) -> dict[str, int]:
    async with service.db.sessions() as session:
        return {
            t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (cases, case_reports, case_history, OUTBOX)
        }


async def test_many_reports_share_a_commit(service: CasesService) -> None:
    commits = Counter[str]()
    batcher = OpeningBatcher(service, CONSUMER, receive_report)
    original = batcher._write

    async def counting(batch: list[Any]) -> set[int]:
        commits["batches"] += 1
        return await original(batch)

    batcher._write = counting  # type: ignore[method-assign]
    await open_all(batcher, [report(n) for n in range(100)])
    assert await table_counts(service) == {
        "cases": 100,
        "case_reports": 100,
        "case_history": 100,
        "outbox": 100,
    }
    assert commits["batches"] < 10


async def test_repeats_in_and_across_batches_still_merge(service: CasesService) -> None:
    batcher = OpeningBatcher(service, CONSUMER, receive_report)
    await open_all(batcher, [report(0, subject_person="孙八")])
    same = [report(n, subject_person="孙八") for n in range(1, 6)]
    pair = [report(9, subject_person="周九"), report(10, subject_person="周 九")]
    await open_all(batcher, [*same, *pair, report(11)])
    counts = await table_counts(service)
    assert counts["cases"] == 3 and counts["case_reports"] == 9
    async with service.db.sessions() as session:
        roles = Counter((await session.execute(select(case_reports.c.role))).scalars())
    assert roles == {"opened": 3, "merged": 6}


async def test_duplicates_change_nothing(service: CasesService) -> None:
    batcher = OpeningBatcher(service, CONSUMER, receive_report)
    first = report(1)
    renamed = first.model_copy(update={"event_id": uuid.uuid4()})
    await open_all(batcher, [first, first, renamed])
    await open_all(batcher, [first, renamed])
    assert (await table_counts(service))["cases"] == 1


async def test_a_failed_batch_leaves_each_report_to_itself(service: CasesService) -> None:
    batcher = OpeningBatcher(service, CONSUMER, receive_report)

    async def broken(batch: list[Any]) -> set[int]:
        raise RuntimeError("database went away")

    batcher._write = broken  # type: ignore[method-assign]
    await open_all(batcher, [report(n) for n in range(5)])
    assert (await table_counts(service))["cases"] == 5
