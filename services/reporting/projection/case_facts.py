"""Case and report facts folded from events: pure, order-independent and idempotent.

Every case event carries the case as it stands at its `version`, so the newest version wins
for the current facts (status, units, problem, county). A fact with a history of its own
(finding, closing, transfer, rectifying unit, exposure text) keeps the version it was last set
at, so a late older event never undoes a newer one. "Ever happened" facts only turn on, first
times keep the earliest. The same events in any order, any number of times, give the same row."""

from __future__ import annotations

from functools import lru_cache

from services.reporting.projection.case_steps import STEPS
from services.reporting.projection.storage import Row
from shared.directory import Directory
from shared.events import Envelope
from shared.events.cases import (
    CaseEvent,
    CaseOpened,
)

SUBSTANTIATED = ("substantiated", "partly")


def new_case(case_id: str) -> Row:
    """A case row before any event: every flag off, every version 0."""
    row: Row = dict.fromkeys(CASE_COLUMNS)
    row.update(case_id=case_id, version=0, status="received", handling_unit="", county="")
    row.update(dict.fromkeys(FLAGS, False))
    row.update(dict.fromkeys(VERSIONS, 0))
    return row


def fold_case(row: Row, envelope: Envelope, event: CaseEvent, directory: Directory) -> Row:
    """The row after one more event (a new dict; `row` is left alone)."""
    out = dict(row)
    at = envelope.occurred_at
    if event.version > out["version"]:
        out.update(
            version=event.version,
            status=event.status,
            handling_unit=event.handling_unit,
            problem=event.problem,
            county=event.county,
            report_id=event.report_id or out["report_id"],
        )
    if isinstance(event, CaseOpened):
        _opened(out, event)
    step = STEPS.get(envelope.type)
    if step is not None:
        step(out, event, at)
    return _derive(out, directory)


def _opened(out: Row, event: CaseOpened) -> None:
    out.update(
        channel=event.channel,
        received_at=event.received_at,
        lead_unit=event.lead_unit,
        subject_unit=event.subject_unit_id,
    )


def _derive(out: Row, directory: Directory) -> Row:
    """Facts that follow from the others (kept as columns for indexes and plain queries)."""
    out["rejected"] = out["status"] == "rejected"
    out["transferred"] = out["transfer_to"] is not None
    responsible = out["subject_unit"] or out["handling_unit"] or None
    out["responsible_unit"] = responsible
    out["department"] = department_of(directory, responsible)
    return out


@lru_cache(maxsize=4096)
def department_of(directory: Directory, unit_id: str | None) -> str | None:
    """The city-level unit at the head of a unit's sector line (本行业/系统), if any."""
    seen: set[str] = set()
    while unit_id is not None and unit_id in directory and unit_id not in seen:
        seen.add(unit_id)
        unit = directory.unit(unit_id)
        if unit.level == "city" and unit.kind not in ("leading_group",):
            return unit.id
        sector = [s.unit for s in unit.supervisors if s.by == "sector"]
        unit_id = sector[0] if sector else None
    return None


def substantiated(row: Row) -> bool:
    """Substantiated in figures and alerts means substantiated or partly."""
    return row["finding"] in SUBSTANTIATED


FLAGS = ("accepted", "rejected", "rectified", "transferred", "exposed", "overdue")


VERSIONS = (
    "finding_version",
    "closed_version",
    "transfer_version",
    "rectify_version",
    "exposure_version",
)


CASE_COLUMNS = (
    "case_id",
    "version",
    "county",
    "handling_unit",
    "problem",
    "channel",
    "status",
    "finding",
    "received_at",
    "accepted_at",
    "closed_at",
    *FLAGS,
    "report_id",
    "lead_unit",
    "subject_unit",
    "responsible_unit",
    "department",
    *VERSIONS,
    "concluded_at",
    "transfer_to",
    "transferred_at",
    "rectifying_unit",
    "rectified_at",
    "exposed_at",
    "exposure_text",
    "overdue_at",
    "overdue_kinds",
)
