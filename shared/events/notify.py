"""Events published by notify (`notification.*`).

One event per delivery-log row when it reaches its end: the row's id is the aggregate, so each
has sequence 1. `recipient` names a unit, a report (for its reporter) or a webhook
subscription, a report's survey or an aid application; never a person's address or number.
"""

from __future__ import annotations

from typing import Literal

from shared.events.base import EventData, register

# "letter": a written notice (书面告知) queued for printing and posting (issue 22).
NotifyChannel = Literal["email", "sms", "webhook", "inbox", "letter"]
# `survey`: a reporter's 回访 SMS (recipient: the report id); `applicant`: a 两癌 aid applicant
# told of a step (recipient: the application id). Never an address or a number.
RecipientKind = Literal["unit", "reporter", "integrator", "survey", "applicant"]


@register
class NotificationDelivered(EventData):
    """A notice reached its channel (at least once; `delivery_id` is stable across retries)."""

    type = "notification.delivered"
    delivery_id: str
    event_id: str
    channel: NotifyChannel
    recipient_kind: RecipientKind
    case_id: str | None = None
    event_type: str | None = None  # the case event the notice was about
    recipient: str | None = None  # unit id, report id or subscription id
    attempts: int | None = None
    digest: bool = False  # sent inside a unit's daily digest


@register
class NotificationFailed(EventData):
    """A notice failed for good (bad address, a receiver that keeps refusing)."""

    type = "notification.failed"
    delivery_id: str
    event_id: str
    channel: NotifyChannel
    recipient_kind: RecipientKind
    reason: str
    case_id: str | None = None
    event_type: str | None = None
    recipient: str | None = None
    attempts: int | None = None
    digest: bool = False
