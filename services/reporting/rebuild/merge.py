"""Batches from several replays, merged roughly by time, and the ways a message is decoded for
them."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from services.reporting.projection.batch import Item
from services.reporting.rebuild.replay import SKIP, Decoded, Decoder, Replay
from shared.events import REGISTRY, Envelope, UnknownEventType, envelope_model, parse_payload

OCCURRED = re.compile(rb'"occurred_at":"([^"]+)"')
TYPE = re.compile(rb'"type":"([^"]+)","schema_version":(\d+)')  # the envelope's, in its order
EVENT_ID = re.compile(rb'^\s*\{\s*"event_id"\s*:\s*"([0-9a-fA-F-]{36})"')  # the envelope's


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


def parse(data: bytes) -> Item | None:
    """The event itself; None when it is unreadable or of no known type.

    One pass where the type is found in the bytes: the envelope with this type's payload model
    as its `data` (what the wire carries, `envelope_model`), read by pydantic-core straight from
    the JSON, instead of the envelope with a dict then the payload from the dict (a fifth less
    CPU, and parsing is about a third of a rebuild's). Anything else takes the two passes."""
    found = TYPE.search(data)
    if found is not None:
        typed = _typed(found.group(1).decode(), int(found.group(2)))
        if typed is not None:
            with contextlib.suppress(ValueError):
                envelope = typed.model_validate_json(data)
                return envelope, envelope.data  # type: ignore[return-value]
    try:
        envelope = Envelope.model_validate_json(data)  # JSON parsed by pydantic: faster
        return envelope, parse_payload(envelope)
    except (ValueError, UnknownEventType):
        return None


@functools.cache
def _typed(kind: str, version: int) -> type[Envelope] | None:
    model = REGISTRY.get((kind, version))
    return None if model is None else envelope_model(model)


def tail(source: int) -> Decoder:
    """The event, its source's index and (Replay.keep_seq) its sequence (the switch's read)."""

    def decode(data: bytes) -> Decoded:
        item = parse(data)
        when = float("-inf") if item is None else item[0].occurred_at.timestamp()
        return when, (source, item)

    return decode


def event_id_of(durable: str) -> Decoder:
    """(durable, event id) only, found in the bytes (the switch's inbox rows; no parse)."""

    def decode(data: bytes) -> Decoded:
        found = EVENT_ID.match(data)
        if found is not None:
            return 0.0, (durable, found.group(1).decode())
        item = parse(data)  # not the envelope's first key: read it whole
        return SKIP if item is None else (0.0, (durable, str(item[0].event_id)))

    return decode


def tagged(source: int) -> Decoder:
    """The bytes with their source's index (the reader process)."""

    def decode(data: bytes) -> Decoded:
        when, value = raw(data)
        return when, (source, value)

    return decode


def raw(data: bytes) -> Decoded:
    """Only when it happened, the bytes handed on as they are (the reader process)."""
    found = OCCURRED.search(data)
    try:
        return datetime.fromisoformat(found.group(1).decode()).timestamp(), data  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return float("-inf"), data  # the parent's parse will skip it and count it
