"""The outbox relay's backlog gauges as an on-call engineer reads them on /metrics: in the
service's own registry, with their help text, and an age that is the oldest row's (never
rounded up, never negative). The backlog query itself is proved in test_outbox.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from prometheus_client import CollectorRegistry

from shared.outbox import OutboxRelay


def _relay(registry: CollectorRegistry) -> OutboxRelay:
    db: Any = SimpleNamespace()  # the gauges read no database
    return OutboxRelay(db, js=lambda: None, registry=registry)  # type: ignore[arg-type, return-value]


def test_the_gauges_are_in_the_services_registry_with_their_help() -> None:
    registry = CollectorRegistry()
    _relay(registry)
    helps = {family.name: family.documentation for family in registry.collect()}
    age_help = "Age of the oldest unpublished outbox row (0 when none)"
    assert helps == {
        "zuofeng_outbox_pending": "Outbox rows not yet published",
        "zuofeng_outbox_oldest_age_seconds": age_help,
    }


def test_the_age_is_the_oldest_rows_and_zero_without_one() -> None:
    registry = CollectorRegistry()
    relay = _relay(registry)
    assert registry.get_sample_value("zuofeng_outbox_oldest_age_seconds") == 0.0
    relay.oldest = datetime.now(UTC) - timedelta(milliseconds=200)
    assert 0.2 <= relay.oldest_age() < 0.9
    relay.oldest = datetime.now(UTC) + timedelta(seconds=5)  # a clock ahead: never negative
    assert relay.oldest_age() == 0.0
