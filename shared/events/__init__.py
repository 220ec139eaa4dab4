"""Event models, one module per producer, and the registry (importing this fills it)."""

from shared.events import audit, cases, federation, intake, notify, reporting
from shared.events.base import (
    REGISTRY,
    Envelope,
    EventData,
    UnknownEventType,
    envelope_model,
    make_event,
    parse_envelope,
    parse_payload,
)

__all__ = [
    "REGISTRY",
    "Envelope",
    "EventData",
    "UnknownEventType",
    "envelope_model",
    "make_event",
    "parse_envelope",
    "parse_payload",
    "audit",
    "cases",
    "federation",
    "intake",
    "notify",
    "reporting",
]
