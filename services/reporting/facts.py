"""Case and report facts folded from events: pure, order-independent and idempotent.

Every case event carries the case as it stands at its `version`, so the newest version wins
for the current facts (status, units, problem, county). A fact with a history of its own
(finding, closing, transfer, rectifying unit, exposure text) keeps the version it was last set
at, so a late older event never undoes a newer one. "Ever happened" facts only turn on, first
times keep the earliest. The same events in any order, any number of times, give the same row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from shared.directory import Directory
from shared.events import Envelope
from shared.events.cases import (
    CaseEvent,
    CaseExposed,
    CaseMerged,
    CaseOpened,
    CaseOverdue,
    CaseTransferred,
)

Row = dict[str, Any]
SUBSTANTIATED = ("substantiated", "partly")
RECTIFICATION = (
    "case.rectification_required",
    "case.rectification_submitted",
    "case.rectification_verified",
    "case.rectification_rejected",
)


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


def _lww(out: Row, version_key: str, version: int, **values: Any) -> None:
    """Last writer wins, by case version."""
    if version > out[version_key]:
        out[version_key] = version
        out.update(values)


def _earliest(current: datetime | None, at: datetime) -> datetime:
    return at if current is None or at < current else current


def _accepted(out: Row, event: CaseEvent, at: datetime) -> None:
    out.update(accepted=True, accepted_at=_earliest(out["accepted_at"], at))


def _concluded(out: Row, event: Any, at: datetime) -> None:
    _lww(out, "finding_version", event.version, finding=event.finding, concluded_at=at)


def _closed(out: Row, event: CaseEvent, at: datetime) -> None:
    _lww(out, "closed_version", event.version, closed_at=at)


def _reopened(out: Row, event: CaseEvent, at: datetime) -> None:
    _lww(out, "closed_version", event.version, closed_at=None)


def _transferred(out: Row, event: Any, at: datetime) -> None:
    assert isinstance(event, CaseTransferred)
    _lww(out, "transfer_version", event.version, transfer_to=event.to, transferred_at=at)


def _transfer_objected(out: Row, event: CaseEvent, at: datetime) -> None:
    _lww(out, "transfer_version", event.version, transfer_to=None, transferred_at=None)


def _rectification(out: Row, event: Any, at: datetime) -> None:
    _lww(out, "rectify_version", event.version, rectifying_unit=event.rectifying_unit)


def _verified(out: Row, event: Any, at: datetime) -> None:
    _rectification(out, event, at)
    out.update(rectified=True, rectified_at=_earliest(out["rectified_at"], at))


def _exposed(out: Row, event: Any, at: datetime) -> None:
    assert isinstance(event, CaseExposed)
    out.update(exposed=True)
    _lww(out, "exposure_version", event.version, exposure_text=event.exposure_text, exposed_at=at)


def _overdue(out: Row, event: Any, at: datetime) -> None:
    assert isinstance(event, CaseOverdue)
    kinds = set(filter(None, (out["overdue_kinds"] or "").split(","))) | {event.deadline.kind}
    out.update(
        overdue=True,
        overdue_at=_earliest(out["overdue_at"], at),
        overdue_kinds=",".join(sorted(kinds))[:255],
    )


STEPS: dict[str, Callable[[Row, Any, datetime], None]] = {
    "case.accepted": _accepted,
    "case.concluded": _concluded,
    "case.closed": _closed,
    "case.reopened": _reopened,
    "case.transferred": _transferred,
    "case.transfer_objected": _transfer_objected,
    "case.rectification_verified": _verified,
    "case.exposed": _exposed,
    "case.overdue": _overdue,
} | {kind: _rectification for kind in RECTIFICATION[:2] + RECTIFICATION[3:]}


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


def new_report(report_id: str) -> Row:
    return {"report_id": report_id, "county": None, "channel": None, "received_at": None} | {
        "case_id": None
    }


def fold_report(
    row: Row, county: str, channel: str, received_at: datetime, case_id: str | None
) -> Row:
    """A report's facts come from report.received or from the case event that took it in;
    they agree, and the smallest value wins should they ever not (order-independent)."""
    out = dict(row)
    for key, value in (("county", county), ("channel", channel), ("received_at", received_at)):
        out[key] = value if out[key] is None else min(out[key], value)
    if case_id is not None:
        out["case_id"] = case_id if out["case_id"] is None else min(out["case_id"], case_id)
    return out


def report_source(event: CaseEvent) -> tuple[str, str, datetime] | None:
    """(report id, channel, received at) of the report a case event takes in, if it does."""
    if isinstance(event, CaseOpened) and event.report_id:
        return event.report_id, event.channel, event.received_at
    if isinstance(event, CaseMerged):
        return event.merged_report_id, event.channel, event.received_at
    return None


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
