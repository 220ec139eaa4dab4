"""What each case event changes in its case's facts beyond the current state (finding, closing,
transfer, rectification, exposure, deadlines missed): last writer by case version, first times
kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.reporting.projection.storage import Row
from shared.events.cases import (
    CaseEvent,
    CaseExposed,
    CaseOverdue,
    CaseTransferred,
)

RECTIFICATION = (
    "case.rectification_required",
    "case.rectification_submitted",
    "case.rectification_verified",
    "case.rectification_rejected",
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
