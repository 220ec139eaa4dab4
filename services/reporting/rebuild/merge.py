"""Batches from several replays, merged roughly by time, and the two ways a message is decoded for
them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from services.reporting.projection.batch import Item
from services.reporting.rebuild.replay import SKIP, Decoded, Replay
from shared.events import Envelope, UnknownEventType, parse_payload
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

OCCURRED = re.compile(rb'"occurred_at":"([^"]+)"')


async def merged(replays: list[Replay], size: int) -> AsyncIterator[list[Any]]:
    """Batches of values from all streams, each up to its `until`, roughly in order of time.

    Order only makes batches cheaper (a report beside the case event that takes it in); the
    projection does not depend on it. Each round pools what every stream has up to the
    earliest of their latest buffered times (at least one message), sorted by time."""
    pool: list[Decoded] = []
    while True:
        ready = [r for r in replays if await r.ready()]
        if not ready:
            break
        horizon = min(r.buffer[-1][1][0] for r in ready)
        before = len(pool)
        for replay in ready:
            replay.take(horizon, pool)
        if len(pool) == before:  # out-of-order times: force progress
            min(ready, key=lambda r: r.buffer[0][1][0]).take(float("inf"), pool, 1)
        if len(pool) >= size:
            pool.sort(key=_when)
            while len(pool) >= size:
                yield [value for _, value in pool[:size]]
                pool = pool[size:]
    pool.sort(key=_when)
    for start in range(0, len(pool), size):
        yield [value for _, value in pool[start : start + size]]


def _when(decoded: Decoded) -> float:
    return decoded[0]


def parse(data: bytes) -> Decoded:
    """The event itself (in-process replays)."""
    try:
        envelope = Envelope.model_validate_json(data)  # JSON parsed by pydantic: faster
        payload = parse_payload(envelope)
    except (ValueError, UnknownEventType):
        return SKIP
    if not isinstance(payload, ReportReceived | CaseEvent):
        return SKIP
    item: Item = (envelope, payload)
    return envelope.occurred_at.timestamp(), item


def raw(data: bytes) -> Decoded:
    """Only when it happened, the bytes handed on as they are (the reader process)."""
    found = OCCURRED.search(data)
    try:
        return datetime.fromisoformat(found.group(1).decode()).timestamp(), data  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return float("-inf"), data  # the parent's parse will skip it and count it
