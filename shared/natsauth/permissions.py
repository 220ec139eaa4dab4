"""Each service's NATS user: what it may publish (its own events and audit records, dead
letters, the JetStream API of what it runs) and subscribe to (its own inbox)."""

from __future__ import annotations

from typing import Any

from shared.events.base import CITY_COUNTY
from shared.streams import CONSUMERS
from shared.subjects import DLQ_PREFIX, PREFIX, event_subject

SERVICE_PUBLISHES = {
    "intake": ["report"],
    "cases": ["case", "task", "inspection", "datarequest"],
    "notify": ["notification"],
    "reporting": ["alert"],
    "federation": ["federation"],
}
# The AUDIT stream is shared: each service may publish only its own records there (at city
# level), so none can forge another's (cases' anchors above all). `zuofeng apikey` records
# its changes as admin.
SERVICE_AUDIT_EVENTS = {
    "intake": [],
    "cases": ["audit.anchored", "audit.signin", "audit.account_changed"],
    "notify": ["audit.webhook_changed", "audit.letter_opened"],
    "reporting": ["audit.exported", "audit.alert_decided"],
    "federation": [],
}
JS = "$JS.API"
# Buckets a service reads (API keys on every request with X-API-Key; the last error of a
# message for the DLQ mover; officials' page sessions); DLQ_ERRORS is written between
# deliveries, SESSIONS when a page is used, signed in or out (shared.websession).
READ_BUCKETS = ("API_KEYS", "DLQ_ERRORS", "SESSIONS")
WRITE_BUCKETS = ("DLQ_ERRORS", "SESSIONS")
SHARED_DURABLES = ("dlq-mover",)  # run by every service
# Last-message reads a service needs beyond its consumers: cases seeds its audit anchoring (and
# `zuofeng audit verify` compares) with the last anchor on the AUDIT stream.
SERVICE_READS = {"cases": ("AUDIT",)}


def inbox_prefix(user: str) -> str:
    """The only inbox a user may subscribe to (connect with `inbox_prefix=` this)."""
    return f"_INBOX.{user}"


def bucket_reads(bucket: str) -> list[str]:
    stream = f"KV_{bucket}"
    # STREAM.INFO: nats-py's key_value(); the get is direct or not as the bucket was made.
    return [f"{JS}.STREAM.INFO.{stream}", f"{JS}.STREAM.MSG.GET.{stream}",
            f"{JS}.DIRECT.GET.{stream}.>"]  # fmt: skip


def durable_use(stream: str, durable: str) -> list[str]:
    return [
        f"{JS}.CONSUMER.INFO.{stream}.{durable}",
        f"{JS}.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",
    ]


def service_jetstream(service: str) -> list[str]:
    """The JetStream API and ack subjects a service uses, and nothing that changes the bus."""
    allowed: list[str] = []
    for cdef in CONSUMERS:
        if cdef.service == service or cdef.durable in SHARED_DURABLES:
            allowed += durable_use(cdef.stream, cdef.durable)
    # The DLQ mover fetches an advised message from whichever consumed stream it is in.
    allowed += [f"{JS}.STREAM.MSG.GET.{s}" for s in sorted({c.stream for c in CONSUMERS})]
    allowed += [f"{JS}.STREAM.MSG.GET.{s}" for s in SERVICE_READS.get(service, ())]
    # The DLQ's depth per durable (subject counts; the metrics' refresher, shared/consumer.py).
    allowed.append(f"{JS}.STREAM.INFO.DLQ")
    for bucket in READ_BUCKETS:
        allowed += bucket_reads(bucket)
    allowed += [f"$KV.{bucket}.>" for bucket in WRITE_BUCKETS]
    return allowed


def service_permissions(service: str) -> dict[str, Any]:
    own = [f"{PREFIX}.*.{aggregate}.>" for aggregate in SERVICE_PUBLISHES[service]]
    own += [event_subject(CITY_COUNTY, event) for event in SERVICE_AUDIT_EVENTS[service]]
    subscribe = [f"{inbox_prefix(service)}.>"]
    permissions: dict[str, Any] = {
        "publish": {"allow": own + [f"{DLQ_PREFIX}.>"] + service_jetstream(service)},
        "subscribe": {"allow": subscribe},
    }
    if service == "cases":
        # An inspection's finding becomes a report as a clerk's system submits one (issue 22).
        permissions["publish"]["allow"].append(f"{PREFIX}.*.intake.submit")
    if service == "intake":
        subscribe.append(f"{PREFIX}.*.intake.submit")  # request-reply submissions
        # It answers each request once, on the requester's own inbox, and publishes no other
        # inbox subject.
        permissions["allow_responses"] = True
    return permissions
