"""Events published by cases about its audit trail (`audit.*`).

The head of the keyed audit chain, published now and then to a stream that refuses deletes and
purges: a later rewrite of the trail in the database no longer matches an anchor already out.
Ids and hashes only; never who did what.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.base import EventData, register


@register
class AuditAnchored(EventData):
    """The audit chain stood at this row with this hash (HMAC-SHA256, hex)."""

    type = "audit.anchored"
    last_id: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    anchored_at: datetime
