"""Events published by notify (`notification.*`)."""

from __future__ import annotations

from typing import Literal

from shared.events.base import EventData, register

NotifyChannel = Literal["email", "sms", "webhook", "inbox"]


@register
class NotificationDelivered(EventData):
    """A notice reached its channel (at least once; `delivery_id` is stable across retries)."""

    type = "notification.delivered"
    delivery_id: str
    event_id: str
    channel: NotifyChannel
    recipient_kind: Literal["unit", "reporter", "integrator"]
    case_id: str | None = None


@register
class NotificationFailed(EventData):
    """A notice failed for good (bad address, a receiver that keeps refusing)."""

    type = "notification.failed"
    delivery_id: str
    event_id: str
    channel: NotifyChannel
    recipient_kind: Literal["unit", "reporter", "integrator"]
    reason: str
    case_id: str | None = None
