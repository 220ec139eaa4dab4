"""Which outbox relays settle after a wake-up: only one given a settle (notify's, reporting's),
for exactly that long; intake's and cases' relays, on the way from a report to its case, never
wait. That a settling relay's round takes the commits that follow is proved in test_outbox.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from shared import outbox
from shared.outbox import OutboxRelay


async def test_only_a_relay_given_a_settle_waits_and_for_that_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(outbox.asyncio, "sleep", sleep)
    db: Any = SimpleNamespace()  # no database: settling() touches none
    at_once = OutboxRelay(db, js=lambda: None, registry=CollectorRegistry())  # type: ignore[arg-type, return-value]
    settling = OutboxRelay(db, js=lambda: None, registry=CollectorRegistry(), settle=0.3)  # type: ignore[arg-type, return-value]
    await at_once.settling()
    await settling.settling()
    assert slept == [0.3]
