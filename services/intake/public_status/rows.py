"""The reports a batch of case events touches, as the events leave them, and which columns each
one moved (written once at the end of the batch)."""

from __future__ import annotations

from typing import Any


class Reports:
    """The rows a batch touches, as the events leave them, and which columns each one moved."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = {row.id: dict(row._mapping) for row in rows}
        self.changed: dict[str, dict[str, Any]] = {}
        self.steps: list[dict[str, Any]] = []

    def set(self, report_id: str, **values: Any) -> None:
        if report_id in self.rows:  # not a report of ours (imported elsewhere): nothing to show
            self.rows[report_id] |= values
            self.changed.setdefault(report_id, {}).update(values)

    def of_case(self, case_id: str) -> list[dict[str, Any]]:
        return [row for row in self.rows.values() if row["case_id"] == case_id]
