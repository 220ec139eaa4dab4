"""Accountability alerts: N or more substantiated (or partly) cases of one unit, county or
department within a rolling window raise `alert.frequent_problems`, once per crossing.

A crossing is a rising edge of the rolling count, taken at the time of a finding t: the count
of findings in (t - W, t] reaches N while the count in [t - W, t) was below N. That depends on
the findings alone, not on the order events arrive in, so a replay finds the same crossings;
ids derive from (scope, key, time), so nothing is raised twice. A late finding that moves the
start of a crossing already on record earlier does not raise it again. Alerts stay on record."""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

NAMESPACE = uuid.UUID("6f1c7a52-3f0e-4d2b-9a51-7e2b8c0d4a11")


PRODUCER = "reporting"

# Whose accountability an alert is counted under (issue 22): a unit's and a county's own
# substantiated cases are their 主体责任 (`main`); a department's, the cases of the units on its
# sector line, its 监督责任 (`supervision`) for overseeing them. Never added together.
SCOPE_RESPONSIBILITY = {"unit": "main", "county": "main", "department": "supervision"}


@dataclass(frozen=True)
class AlertRule:
    """N substantiated cases within `window_days` (configuration)."""

    threshold: int = 3
    window_days: int = 90

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


def crossings(
    times: Sequence[datetime],
    rule: AlertRule,
    lo: datetime | None = None,
    hi: datetime | None = None,
) -> list[tuple[datetime, int]]:
    """(time, count) of each rising edge of the rolling count whose time is in [lo, hi]."""
    points = sorted(times)
    window = rule.window
    edges = []
    for at in sorted(set(points)):
        if (lo is not None and at < lo) or (hi is not None and at > hi):
            continue
        inside = bisect_right(points, at) - bisect_right(points, at - window)
        before = bisect_left(points, at) - bisect_left(points, at - window)
        if before < rule.threshold <= inside:
            edges.append((at, inside))
    return edges


def alert_id(scope: str, key: str, at: datetime) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{scope}|{key}|{at.astimezone(UTC).isoformat()}"))
