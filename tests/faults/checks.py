"""What must hold after any fault: nothing lost, nothing doubled, nothing stalled."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared import dlq
from shared.streams import CONSUMERS


async def consumers_idle(js: JetStreamContext) -> dict[str, tuple[int, int]]:
    """(pending, ack pending) of every durable consumer that is not idle."""
    busy = {}
    for cdef in CONSUMERS:
        info = await js.consumer_info(cdef.stream, cdef.durable)
        if info.num_pending or info.num_ack_pending:
            busy[cdef.durable] = (info.num_pending, info.num_ack_pending)
    return busy


async def rows(url: str, sql: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql))).all())
    finally:
        await engine.dispose()


async def settle(
    js: JetStreamContext, database_urls: dict[str, str], timeout: float = 120.0
) -> None:
    """Wait until every consumer is idle and every outbox is empty (twice in a row)."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 2:
        busy = await consumers_idle(js)
        for service, url in database_urls.items():
            left = (await rows(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))[0][0]
            if left:
                busy[f"{service} outbox"] = (left, 0)
        quiet = quiet + 1 if not busy else 0
        assert time.monotonic() < deadline, f"not settled: {busy}"
        await asyncio.sleep(1.0)


async def reports_to_cases(cases_url: str) -> dict[str, list[str]]:
    """report id -> the cases it opened or was linked to."""
    linked: dict[str, list[str]] = {}
    for report_id, case_id in await rows(cases_url, "SELECT report_id, id FROM cases"):
        linked.setdefault(report_id, []).append(case_id)
    merged = await rows(
        cases_url, "SELECT case_id, data FROM case_history WHERE event_type = 'case.merged'"
    )
    for case_id, data in merged:
        report_id = (data if isinstance(data, dict) else json.loads(data))["merged_report_id"]
        linked.setdefault(report_id, []).append(case_id)
    return linked


async def assert_invariants(
    js: JetStreamContext, database_urls: dict[str, str], accepted: set[str], poison: int
) -> dict[str, int]:
    """Every accepted report has exactly one case; every case event counted once; DLQ = poison."""
    linked = await reports_to_cases(database_urls["cases"])
    missing = accepted - set(linked)
    doubled = {r: c for r, c in linked.items() if len(c) > 1}
    assert not missing, f"{len(missing)} accepted reports have no case"
    assert not doubled, f"reports with more than one case: {doubled}"
    case_events = (await js.stream_info("CASES")).state.messages
    counted = (
        await rows(
            database_urls["reporting"],
            "SELECT count(*) FROM processed_events WHERE consumer = 'reporting-cases'",
        )
    )[0][0]
    assert counted == case_events, f"reporting counted {counted} of {case_events} case events"
    received = (await rows(database_urls["reporting"], "SELECT count(*) FROM report_facts"))[0][0]
    assert received == len(linked), f"reporting counts {received} reports, cases know {len(linked)}"
    letters = await dlq.list_dead_letters(js)
    # Each consumer of the poisoned stream dead-letters its own copy; nothing else is there.
    assert all(x.error.startswith("unparseable") for x in letters), [x.error for x in letters]
    assert len({x.headers["Zuofeng-Original-Seq"] for x in letters}) == poison, letters
    assert await consumers_idle(js) == {}
    return {"accepted": len(accepted), "cases_linked": len(linked), "case_events": case_events}
