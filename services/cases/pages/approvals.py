"""What waits on leaders, supervisors and the city office, and the city office's own lists,
as SQL conditions over a case and its history (the history alone says what is pending: a
request with no decision after it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from services.cases.models import case_history, cases
from shared.auth import Principal


def _entries(event_type: str) -> Any:
    own = (case_history.c.case_id == cases.c.id) & (case_history.c.event_type == event_type)
    return select(func.count()).where(own).scalar_subquery()


def extension_pending() -> ColumnElement[bool]:
    return _entries("case.extension_requested") > _entries("case.extension_decided")


def exposure_pending() -> ColumnElement[bool]:
    proposed = _entries("case.exposure_proposed") > _entries("case.exposed")
    return and_(proposed, cases.c.exposed.is_(False), cases.c.status != "rejected")


def verification_pending() -> ColumnElement[bool]:
    return cases.c.status == "rectification_submitted"


def overdue_below(caller: Principal) -> ColumnElement[bool]:
    """Overdue cases of other units (the scope already keeps them to those below the caller)."""
    return and_(cases.c.overdue.is_(True), cases.c.handling_unit != caller.unit)


def escalated(caller: Principal) -> ColumnElement[bool]:
    if caller.role == "city_office":
        return cases.c.escalated_to.is_not(None)
    return cases.c.escalated_to == caller.unit


def dispute_pending() -> ColumnElement[bool]:
    """A disputed assignment (退单) the city office has not decided yet (issue 26)."""
    return _entries("case.assignment_disputed") > _entries("case.dispute_decided")


def raised_supervision() -> ColumnElement[bool]:
    """Cases raised to the city office's supervision (提级督办, issue 26)."""
    return cases.c.raised_supervision.is_(True)


def sections(caller: Principal) -> list[tuple[str, ColumnElement[bool]]]:
    """The approvals page's lists for the caller's role: (word key, condition)."""
    found = [("extensions", extension_pending())]
    if caller.role in ("supervisor", "city_office"):
        found += [("exposures", exposure_pending()), ("verifications", verification_pending())]
        found += [("sub_overdue", overdue_below(caller)), ("escalations", escalated(caller))]
    if caller.role == "city_office":
        found += [("disputes", dispute_pending()), ("raised", raised_supervision())]
    return found


def triage() -> ColumnElement[bool]:
    """Cases the system could not classify or route, not yet dealt with."""
    return and_(cases.c.triage.is_(True), cases.c.status == "received")


def transfers() -> ColumnElement[bool]:
    return cases.c.transfer_to.is_not(None)


def exposed() -> ColumnElement[bool]:
    return cases.c.exposed.is_(True)
