"""`zuofeng reporting rebuild` covers every table reporting derives from events: each of
reporting's durables feeds a projection in the rebuild's list, and every table of reporting's
metadata is in that list unless it is named here as a record (not derived from events)."""

from __future__ import annotations

from services.reporting import models
from services.reporting.main import create_app  # noqa: F401 - every table module imported
from services.reporting.rebuild.projections import PROJECTIONS, SOURCES, live_tables
from shared.streams import CONSUMERS

# Not projections: the outbox and the inbox (the bus's), and the alerts with the decisions
# people took on them (records; the rebuild raises missing alerts, it never rewrites them).
NOT_PROJECTIONS = {"outbox", "processed_events", "alerts", "alert_decisions"}


def test_every_durable_of_reporting_is_replayed() -> None:
    mine = {c.durable for c in CONSUMERS if c.service == "reporting"}
    assert {c.durable for c in SOURCES} == mine
    for source in SOURCES:  # read as the durable reads: its stream, its subjects
        live = next(c for c in CONSUMERS if c.durable == source.durable)
        assert (source.stream, source.filter_subject) == (live.stream, live.filter_subject)


def test_every_table_derived_from_events_is_rebuilt() -> None:
    declared = [t.name for t in live_tables()]
    assert len(declared) == len(set(declared))  # one projection per table
    assert set(models.metadata.tables) - NOT_PROJECTIONS == set(declared)
    assert not NOT_PROJECTIONS & set(declared)


def test_a_durable_feeds_projections_rebuilt_together() -> None:
    """A durable's inbox rows stand for all its transaction writes: every projection it feeds
    is in the list (then all are replayed and switched at once)."""
    fed = {c.durable for p in PROJECTIONS for c in p.consumers}
    assert fed == {c.durable for c in SOURCES}
    assert all(p.tables and p.consumers for p in PROJECTIONS)
