"""The `notification.delivered` / `.failed` event of a delivery-log row, as the ledger writes
it with the row's end (one event per end, its id derived from the row)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from services.notify.context import PRODUCER
from shared.events import Envelope, make_event
from shared.events.notify import NotificationDelivered, NotificationFailed

EVENT_IDS = uuid.UUID("6f1d3c1e-8a55-4d7e-9a39-2b7f0c5e4a10")  # namespace: one event per end
_COPIED = (
    "event_id",
    "channel",
    "recipient_kind",
    "case_id",
    "event_type",
    "recipient",
    "attempts",
)
REASON_MAX = 300


def notification(
    row: Mapping[str, Any],
    outcome: Literal["delivered", "failed"],
    *,
    now: datetime,
    reason: str = "",
) -> Envelope:
    """The `notification.delivered` / `.failed` event of a row (its id is derived from the row,
    so recording the same end twice could never publish two events)."""
    common = {key: row[key] for key in _COPIED} | {
        "delivery_id": row["external_id"] or row["id"],
        "digest": row["batch"] is not None,
    }
    payload = (
        NotificationDelivered(**common)
        if outcome == "delivered"
        else NotificationFailed(**common, reason=reason[:REASON_MAX] or "failed")
    )
    return make_event(
        payload,
        county=row["county"],
        aggregate_id=row["id"],
        sequence=1,
        producer=PRODUCER,
        correlation_id=row["correlation_id"],
        causation_id=row["event_id"],
        occurred_at=now,
        event_id=uuid.uuid5(EVENT_IDS, _end(row, outcome)),
    )


def _end(row: Mapping[str, Any], outcome: str) -> str:
    """The row's end; a redelivered row's ends are new ones (an integrator asked again)."""
    again = row.get("redeliveries") or 0
    return f"{row['id']}:{outcome}" + (f":{again}" if again else "")
