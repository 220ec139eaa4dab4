"""What notify must show after faults: every opened case noticed once in its unit's inbox, and
every webhook delivery reached a real HTTP listener at least once, each repeat with the same
delivery id (the listener answers 500 to some first attempts, so retries happen)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from datetime import timedelta

import httpx

from shared.auth import issue_token
from tests.faults.checks import rows
from tests.integration.notify_harness import Receiver
from tests.procstack import SECRET

REFUSING = [500 if i % 7 == 6 else 200 for i in range(50_000)]  # every 7th attempt refused


async def subscribe(notify_url: str, sink: Receiver) -> None:
    """Subscribe the receiver to every opened case; it refuses every 7th attempt."""
    sink.script[:] = REFUSING
    # City level: a county integrator takes only its own county's events (issue 15.3).
    token = issue_token(
        SECRET, unit="city-fpb", role="integrator", sub="faults", ttl=timedelta(hours=2)
    )
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            f"{notify_url}/api/v1/webhooks",
            json={"url": sink.url, "event_types": ["case.opened"], "counties": []},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 201, answer.text
    sink.secret = answer.json()["secret"]


async def _delivered(notify_url: str, expected: int, timeout: float = 180.0) -> None:
    """Wait for every webhook delivery to end (retries wait out their backoff)."""
    deadline = time.monotonic() + timeout
    while True:
        ((done, left),) = await rows(
            notify_url,
            "SELECT count(*) FILTER (WHERE status = 'delivered'),"
            " count(*) FILTER (WHERE status <> 'delivered')"
            " FROM deliveries WHERE channel = 'webhook'",
        )
        if done >= expected and not left:
            return
        assert time.monotonic() < deadline, f"webhooks: {done} delivered, {left} not yet"
        await asyncio.sleep(1.0)


async def assert_notified(urls: dict[str, str], sink: Receiver | None) -> dict[str, int]:
    opened = {
        event_id: unit
        for event_id, unit in await rows(
            urls["cases"],
            "SELECT h.event_id, c.handling_unit FROM case_history h JOIN cases c"
            " ON c.id = h.case_id WHERE h.event_type = 'case.opened'",
        )
    }
    noticed = await rows(
        urls["notify"],
        "SELECT event_id, unit FROM inbox_notices WHERE event_type = 'case.opened'",
    )
    missing = {e for e, u in opened.items() if (e, u) not in set(map(tuple, noticed))}
    assert not missing, f"{len(missing)} opened cases have no inbox notice"
    assert len(noticed) == len(set(map(tuple, noticed))), "an inbox notice was doubled"
    figures = {"cases_opened": len(opened), "inbox_notices": len(noticed)}
    if sink is None:
        return figures
    await _delivered(urls["notify"], len(opened))
    ids_of: dict[str, set[str]] = defaultdict(set)
    events_of: dict[str, set[str]] = defaultdict(set)
    for call in sink.calls:
        delivery, event_id = call["delivery"], json.loads(call["body"])["event_id"]
        assert call["valid"], f"delivery {delivery} carried a bad or no signature"
        ids_of[event_id].add(delivery)
        events_of[delivery].add(event_id)
    assert set(opened) <= set(ids_of), f"{len(set(opened) - set(ids_of))} never reached the hook"
    assert all(len(ids) == 1 for ids in ids_of.values()), "a repeat came with a new delivery id"
    assert all(len(events) == 1 for events in events_of.values())
    repeats = len(sink.calls) - len(ids_of)
    return figures | {"webhook_events": len(ids_of), "webhook_repeats": repeats}
