"""Who may see which case: own unit, supervised units, the city office, auditors.

Outside the caller's scope a case does not exist for them (404), so ids cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from services.cases.models import cases
from shared.auth import Principal
from shared.directory import Directory

EVERYTHING = ("city_office", "auditor")
CASE_READERS = ("officer", "leader", "supervisor", "city_office", "auditor", "inspector")


def visible_units(directory: Directory, caller: Principal) -> set[str]:
    """The caller's unit, plus every unit it supervises for a supervisor."""
    units = {caller.unit}
    if caller.role == "supervisor" and caller.unit in directory:
        units |= set(directory.subordinates(caller.unit))
    return units


def case_filter(directory: Directory, caller: Principal) -> ColumnElement[bool]:
    """SQL condition selecting the cases the caller may see."""
    if caller.role in EVERYTHING:
        return true()
    if caller.role not in CASE_READERS:
        return false()
    units = visible_units(directory, caller)
    conditions = [cases.c.handling_unit.in_(units), cases.c.lead_unit.in_(units)]
    if caller.role == "inspector":
        conditions.append(cases.c.status == "transferred")
    # Never the accused unit: a case about a unit is not shown to it, whatever else holds.
    return (or_(*conditions)) & or_(
        cases.c.accused_unit.is_(None), cases.c.accused_unit.notin_(units)
    )
