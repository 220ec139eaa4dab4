"""Business metrics on /metrics, recomputed in the background (a scrape never waits for SQL).

Open cases by county and status, overdue open cases, time to accept per county (histogram),
exposures, alerts, units below a scorecard threshold this month, and the lag of reporting's
consumers per stream."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

BUCKETS_DAYS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 60)
DAY = 86400  # seconds


@dataclass
class Snapshot:
    open_cases: dict[tuple[str, str], int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    accept_days: dict[str, dict[int, int]] = field(default_factory=dict)  # county -> bucket -> n
    exposures: dict[str, int] = field(default_factory=dict)
    alerts: dict[tuple[str, str], int] = field(default_factory=dict)
    flagged_units: dict[str, int] = field(default_factory=dict)  # this month -> n
    lag: dict[tuple[str, str], int] = field(default_factory=dict)


class BusinessMetrics(Collector):
    """Prometheus collector over the latest snapshot."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterator[Any]:
        s = self.snapshot
        yield _gauge(
            "open_cases", "Open cases by county and status", ["county", "status"], s.open_cases
        )
        # A county with open cases and none overdue reads 0 (the deadlines alert's `delta` and
        # the campaign panel see a series, not nothing).
        overdue = {county: 0 for county, _ in s.open_cases} | s.overdue
        yield _gauge("overdue_open_cases", "Open cases that missed a deadline", ["county"], overdue)
        yield _gauge("exposures", "Exposed cases by county", ["county"], s.exposures)
        yield _gauge("alerts", "Accountability alerts by scope", ["scope", "decided"], s.alerts)
        yield _gauge(
            "scorecard_flagged_units",
            "Handling units below a scorecard threshold this month",
            ["period"],
            s.flagged_units,
        )
        yield _gauge("consumer_lag", "Messages not yet delivered", ["stream", "consumer"], s.lag)
        yield _histogram(s.accept_days)


def _gauge(name: str, doc: str, labels: list[str], values: dict[Any, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(f"zuofeng_reporting_{name}", doc, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family


def _histogram(per_county: dict[str, dict[int, int]]) -> HistogramMetricFamily:
    """Counted in whole days, exposed in seconds (Prometheus's base unit: `promtool check
    metrics` refuses a `_days` histogram); bounds are whole days, 86400 s each."""
    family = HistogramMetricFamily(
        "zuofeng_reporting_time_to_accept_seconds",
        "Time from receipt to acceptance (counted in whole days)",
        labels=["county"],
    )
    for county, buckets in sorted(per_county.items()):
        cumulative = []
        for bound in BUCKETS_DAYS:
            n = sum(n for b, n in buckets.items() if b <= bound)
            cumulative.append((str(float(bound * DAY)), n))
        cumulative.append(("+Inf", sum(buckets.values())))
        total = sum(b * n for b, n in buckets.items()) * DAY
        family.add_metric([county], cumulative, total)
    return family
