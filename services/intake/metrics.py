"""Intake's business metrics: reports by channel and county, rejections by reason, and the
time to accept a report by transport (HTTP request latency comes from shared.observability).

Submissions over NATS request-reply are counted here by outcome with their answer time (what
HTTP's latency histogram is for HTTP): FastStream's own `faststream_*` families are not used,
since most of them could never get a sample here (nothing publishes through FastStream and
the handler never raises)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from prometheus_client import CollectorRegistry, Counter, Histogram

from services.intake.schemas.report import FIELD_NAMES
from shared.events.intake import Channel

NATS_OUTCOMES = ("accepted", "refused", "failed")  # 2xx, 4xx, 5xx answers
BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class IntakeMetrics:
    def __init__(self, registry: CollectorRegistry, counties: Iterable[str] = ()) -> None:
        """`counties`: each gets its report series at 0 from the start. A series born at its
        first report hides that report from `increase` (the no-reports alert would fire on a
        county with one report a day)."""
        self.reports = Counter(
            "zuofeng_intake_reports",
            "Reports accepted (idempotent replays not counted again)",
            ["channel", "county"],
            registry=registry,
        )
        self.rejections = Counter(
            "zuofeng_intake_rejections",
            "Submissions refused, by reason (invalid_<field>, too_large, rate_limited, ...)",
            ["reason"],
            registry=registry,
        )
        self.accept_seconds = Histogram(
            "zuofeng_intake_accept_seconds",
            "Time to validate, seal and commit one report",
            ["transport"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.nats_requests = Histogram(
            "zuofeng_intake_nats_request_seconds",
            "Submissions over NATS request-reply: time to answer, by outcome",
            ["outcome"],
            buckets=BUCKETS,
            registry=registry,
        )
        for outcome in NATS_OUTCOMES:
            self.nats_requests.labels(outcome)
        for county in counties:
            for channel in get_args(Channel):
                self.reports.labels(channel, county)

    def answered_over_nats(self, status: int, seconds: float) -> None:
        outcome = "accepted" if status < 400 else "refused" if status < 500 else "failed"
        self.nats_requests.labels(outcome).observe(seconds)

    def rejected(self, reason: str) -> None:
        self.rejections.labels(reason).inc()

    def invalid(self, locs: list[list[object]]) -> None:
        """One rejection per bad field; field names outside the schema count as `other`."""
        for loc in locs:
            parts = [str(p) for p in loc if not isinstance(p, int) and p != "body"]
            field = ".".join(parts[:2]) if parts else ""
            self.rejected(f"invalid_{field}" if field in FIELD_NAMES else "invalid_other")
