"""The projection tables a batch writes: the live ones, or a rebuild's fresh copies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from services.reporting import models

SCOPE_COLUMNS = {"unit": "responsible_unit", "county": "county", "department": "department"}


@dataclass(frozen=True)
class Tables:
    """The projection tables a batch writes: the live ones, or a rebuild's fresh copies."""

    reports: Table
    cases: Table
    counts: Table
    hist: Table

    @classmethod
    def of(cls, tables: dict[str, Table]) -> Tables:
        return cls(
            tables["report_facts"],
            tables["case_facts"],
            tables["daily_counts"],
            tables["latency_hist"],
        )

    def all(self) -> tuple[Table, ...]:
        return (self.reports, self.cases, self.counts, self.hist)


LIVE = Tables(models.report_facts, models.case_facts, models.daily_counts, models.latency_hist)
