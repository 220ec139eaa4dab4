"""How often the outbox relay measures its backlog: at once on start, then at most once per
MEASURE_EVERY however often it wakes (the measure is a transaction of its own), and again
each time that interval has passed. A stub database and counting stand-ins for the rounds."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry

from shared import outbox
from shared.outbox import OutboxRelay


async def _measures_while_running(seconds: float) -> int:
    """How many times a relay woken every few milliseconds measured in `seconds`."""
    db = SimpleNamespace(outbox_signal=asyncio.Event())
    relay = OutboxRelay(db, js=lambda: None, poll_interval=0.005, registry=CollectorRegistry())  # type: ignore[arg-type]
    measured: list[float] = []

    async def one_round() -> int:
        return 0

    async def measure() -> tuple[int, None]:
        measured.append(time.monotonic())
        return 0, None

    relay.round = one_round  # type: ignore[method-assign]
    relay.measure = measure  # type: ignore[method-assign]
    relay.start()
    await asyncio.sleep(seconds)
    await relay.stop()
    return len(measured)


async def test_the_relay_measures_once_on_start_not_on_every_wake() -> None:
    # MEASURE_EVERY (1 s) is longer than the run: dozens of rounds, one measure.
    assert await _measures_while_running(0.3) == 1


async def test_the_relay_measures_at_once_however_long_the_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "MEASURE_EVERY", time.monotonic() + 1e6)
    assert await _measures_while_running(0.1) == 1


async def test_the_relay_measures_again_each_time_the_interval_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "MEASURE_EVERY", 0.05)
    count = await _measures_while_running(0.5)
    assert 4 <= count <= 11
