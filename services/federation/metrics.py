"""Federation's business metrics: aid applications by step, programme records by kind."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

STEPS = ("submitted", "eligible", "reviewed", "approved", "disbursed", "closed", "refused",
         "overdue")  # fmt: skip
RECORDS = ("village", "drive", "school", "sponsorship", "pairing", "visit", "home", "activity",
           "selection")  # fmt: skip
THROTTLED = ("submit", "status")


@dataclass(frozen=True)
class FederationMetrics:
    aid_steps: Counter  # step: an application reached it
    records: Counter  # kind: a programme record written
    throttled: Counter  # route: a public request refused over its client's allowance (429)

    def step(self, status: str) -> None:
        self.aid_steps.labels(status).inc()

    def recorded(self, kind: str) -> None:
        self.records.labels(kind).inc()

    def rate_limited(self, route: str) -> None:
        self.throttled.labels(route).inc()


def build_metrics(registry: CollectorRegistry) -> FederationMetrics:
    metrics = FederationMetrics(
        aid_steps=Counter(
            "zuofeng_federation_aid_steps",
            "两癌 aid applications reaching each step",
            ["step"],
            registry=registry,
        ),
        records=Counter(
            "zuofeng_federation_records",
            "Programme records written (villages, schools, pairings, visits, homes, ...)",
            ["kind"],
            registry=registry,
        ),
        throttled=Counter(
            "zuofeng_federation_rate_limited",
            "Public requests (applications without a credential, receipt lookups) refused 429",
            ["route"],
            registry=registry,
        ),
    )
    # Every series from the start, so "none yet" is a 0 sample, not an absent series.
    for step in STEPS:
        metrics.aid_steps.labels(step)
    for kind in RECORDS:
        metrics.records.labels(kind)
    for route in THROTTLED:
        metrics.throttled.labels(route)
    return metrics
