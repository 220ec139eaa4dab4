"""Notify's metrics per channel: sent, failed, retried, latency; suspended subscriptions.

Every channel the service has gets its three outcome series at 0 from the start, so "no
failures" is a sample (an alert's `increase` and a panel's rate see 0, not an absent series)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OUTCOMES = ("sent", "failed", "retried")
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400)


@dataclass(frozen=True)
class NotifyMetrics:
    deliveries: Counter  # channel, outcome = sent | failed | retried
    latency: Histogram  # channel: from the notice's creation to its delivery
    attempt: Histogram  # channel: one send attempt
    suspended: Gauge  # webhook subscriptions suspended now
    pending: Gauge  # rows waiting in the delivery queue (digests included)

    def sent(self, channel: str, latency: float, count: int = 1) -> None:
        self.deliveries.labels(channel, "sent").inc(count)
        for _ in range(count):
            self.latency.labels(channel).observe(max(latency, 0.0))


def build_metrics(registry: CollectorRegistry, channels: Sequence[str] = ()) -> NotifyMetrics:
    """`channels`: those this service delivers on (inbox, webhook, email and sms when set)."""
    metrics = NotifyMetrics(
        deliveries=Counter(
            "zuofeng_notify_deliveries",
            "Notices by channel and outcome (sent, failed for good, retried)",
            ["channel", "outcome"],
            registry=registry,
        ),
        latency=Histogram(
            "zuofeng_notify_delivery_latency_seconds",
            "From a notice's creation to its delivery",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        attempt=Histogram(
            "zuofeng_notify_attempt_seconds",
            "Duration of one delivery attempt",
            ["channel"],
            registry=registry,
        ),
        suspended=Gauge(
            "zuofeng_notify_webhook_subscriptions_suspended",
            "Webhook subscriptions suspended after failing repeatedly",
            registry=registry,
        ),
        pending=Gauge(
            "zuofeng_notify_deliveries_pending",
            "Deliveries waiting to be sent (retries and digests included)",
            registry=registry,
        ),
    )
    for channel in channels:
        for outcome in OUTCOMES:
            metrics.deliveries.labels(channel, outcome)
    return metrics
