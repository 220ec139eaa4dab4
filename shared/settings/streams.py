"""How the streams are kept (`ZUOFENG_STREAM_*`): replicas and, per stream family, the limits
`zuofeng bus init` applies. Read by the bus's bootstrap only: services never create streams.

Families (shared.streams): `events` (INTAKE, CASES, NOTIFY, REPORTING, FEDERATION; INTAKE and
CASES are what reporting's rebuild replays), `audit` (the audit chain's anchors), `dlq` (dead
letters) and `advisories` (the max-deliveries pointers the DLQ mover reads).
docs/operations.md "Streams and the cluster" says what each limit means for replay and rebuild.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DAY = 86400.0
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY}
SIZES = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

Discard = Literal["old", "new"]


def seconds(value: object) -> object:
    """`500d`, `12h`, `90m`, `30s` or plain seconds; 0 is "forever" (no age limit)."""
    if isinstance(value, str) and value.strip():
        text = value.strip().lower()
        if text[-1] in UNITS:
            return float(text[:-1]) * UNITS[text[-1]]
        return float(text)
    return value


def size(value: object) -> object:
    """`20G`, `512M`, `64k` or plain bytes; -1 is "no limit"."""
    if isinstance(value, str) and value.strip():
        text = value.strip().lower().removesuffix("b").removesuffix("i")
        if text and text[-1] in SIZES:
            return int(float(text[:-1]) * SIZES[text[-1]])
        return int(text)
    return value


class StreamSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZUOFENG_STREAM_", extra="ignore")

    # Copies of every stream, consumer and bucket: 3 on a 3-node cluster (a node may be lost),
    # 1 on the bundled single server. NATS allows 1 to 5.
    replicas: int = Field(1, ge=1, le=5)
    # Messages re-sent with the same id (the event id) within this window are dropped by
    # JetStream; older re-sends are caught by each consumer's inbox (processed events).
    duplicate_window: float = Field(120.0, gt=0)
    # The campaign's year plus a margin: reporting's rebuild replays INTAKE and CASES from
    # their first message, so an age shorter than the campaign loses its first months.
    events_max_age: float = Field(500 * DAY, ge=0)
    # A byte limit is reserved up front on every replica's node (the server refuses a stream it
    # cannot reserve for), so none by default: age bounds the stream, the store's disk the rest.
    # Full: publishes are refused (`new`), the outboxes hold the events and retry, intake keeps
    # accepting, and the outbox alert fires. `old` would drop the oldest events silently,
    # acknowledged by their consumers or not.
    events_max_bytes: int = Field(-1, ge=-1)
    events_discard: Discard = "new"
    # The audit chain's anchors are kept for ever (the stream also refuses deletes and purges).
    audit_max_age: float = Field(0.0, ge=0)
    audit_max_bytes: int = Field(-1, ge=-1)
    audit_discard: Discard = "new"
    # Dead letters stay until an operator replays or deletes them; full: dead-lettering fails
    # and the message is delivered again (kept in its own stream) until there is room.
    dlq_max_age: float = Field(0.0, ge=0)
    dlq_max_bytes: int = Field(-1, ge=-1)
    dlq_discard: Discard = "new"
    # Pointers the DLQ mover reads within seconds; a month covers a mover down for long.
    advisories_max_age: float = Field(30 * DAY, ge=0)
    advisories_max_bytes: int = Field(64 * 1024**2, ge=-1)  # ~100k advisories
    advisories_discard: Discard = "old"

    @field_validator(
        "duplicate_window",
        "events_max_age",
        "audit_max_age",
        "dlq_max_age",
        "advisories_max_age",
        mode="before",
    )
    @classmethod
    def _seconds(cls, value: object) -> object:
        return seconds(value)

    @field_validator(
        "events_max_bytes",
        "audit_max_bytes",
        "dlq_max_bytes",
        "advisories_max_bytes",
        mode="before",
    )
    @classmethod
    def _size(cls, value: object) -> object:
        return size(value)
