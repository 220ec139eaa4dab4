"""Deltas of the aggregates a batch adds: what its rows counted before and after."""

from __future__ import annotations

from collections import defaultdict

from services.reporting.models import COUNT_FIELDS
from services.reporting.projection.contributions import (
    KINDS,
    CountKey,
    HistKey,
    Parts,
    blocks_of,
    case_parts,
    report_parts,
)
from services.reporting.projection.storage import Row


class Totals:
    """Deltas of the counts and histograms, from rows before and after a batch."""

    def __init__(self) -> None:
        self.counts: dict[CountKey, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIELDS))
        self.hist: dict[HistKey, int] = defaultdict(int)

    def change(self, before: Parts | None, after: Parts | None) -> None:
        """Add what changed; most events move a flag or two and no key, day or days taken."""
        if before == after:
            return
        if before is None or after is None or (before.day, before.keys) != (after.day, after.keys):
            self.add(before, -1)
            self.add(after, +1)
            return
        diff = [a - b for a, b in zip(after.values, before.values, strict=True)]
        self._count(after, diff)
        for kind, old, new in zip(KINDS, before.buckets, after.buckets, strict=True):
            if old != new:
                self._hist(before, kind, old, -1)
                self._hist(after, kind, new, +1)

    def add(self, parts: Parts | None, sign: int) -> None:
        if parts is None:
            return
        self._count(parts, [sign * v for v in parts.values])
        for kind, bucket in zip(KINDS, parts.buckets, strict=True):
            self._hist(parts, kind, bucket, sign)

    def _count(self, parts: Parts, values: list[int]) -> None:
        moved = [(i, value) for i, value in enumerate(values) if value]
        if not moved:
            return
        for dim, key in parts.keys:
            slot = self.counts[(dim, parts.day, key)]
            for i, value in moved:
                slot[i] += value

    def _hist(self, parts: Parts, kind: str, bucket: int | None, sign: int) -> None:
        if bucket is None:
            return
        blocks = blocks_of(parts.day)
        for dim, key in parts.keys:
            if dim != "subject":  # the ranking needs no medians
                for level, block in blocks:
                    self.hist[(dim, level, block, key, kind, bucket)] += sign

    def add_case(self, row: Row, sign: int) -> None:
        self.add(case_parts(row), sign)

    def add_report(self, report: Row, case: Row | None, sign: int) -> None:
        self.add(report_parts(report, case), sign)

    def clear(self) -> None:
        self.counts.clear()
        self.hist.clear()

    def changed_counts(self) -> dict[CountKey, list[int]]:
        return {key: values for key, values in self.counts.items() if any(values)}

    def changed_hist(self) -> dict[HistKey, int]:
        return {key: n for key, n in self.hist.items() if n}
