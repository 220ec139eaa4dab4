"""Who may see which case, and in how much detail.

Outside the caller's scope a case does not exist for them (404), so ids cannot be probed. A case
is never shown to the unit it accuses nor to a unit under it (Art 30: accusation materials never
reach the accused) — except the rectification part, which the rectifying unit must see even when
it is the accused unit. `case_filter` (SQL) and `relation` (one row) state the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, false, or_, true

from services.cases.domain.state import Actor
from services.cases.domain.vocabulary import Role
from services.cases.models import cases
from shared.auth import Principal
from shared.directory import Directory

CASE_READERS = ("officer", "leader", "supervisor", "city_office", "auditor", "inspector")
HANDLERS = ("officer", "leader")


class Relation(StrEnum):
    """How much of a case the caller sees."""

    FULL = "full"  # handling or lead unit, its supervisors, the city office, auditors
    RECEIVER = "receiver"  # the organ a transfer went to: what it needs to take the case over
    RECTIFIER = "rectifier"  # the rectifying unit: requirement, due date, its own evidence
    CO_UNIT = "co_unit"  # a co-responsible (协办) unit: the report, the public steps, its part


def reach(directory: Directory, caller: Principal) -> set[str]:
    """The caller's unit, plus the units under it for supervisors and discipline inspectors."""
    units = {caller.unit}
    if caller.role in ("supervisor", "inspector") and caller.unit in directory:
        units |= set(directory.subordinates(caller.unit))
    return units


def overseen(directory: Directory, caller: Principal) -> set[str] | None:
    """Units whose supervision records (tasks, visits, data requests) the caller sees: None for
    the city office and auditors (every unit), else its own unit and, for a supervisor, the units
    it supervises."""
    if caller.role in ("city_office", "auditor"):
        return None
    units = {caller.unit}
    if caller.role == "supervisor" and caller.unit in directory:
        units |= set(directory.subordinates(caller.unit))
    return units


def register_filter(
    directory: Directory, caller: Principal, readers: tuple[str, ...], unit: Any
) -> ColumnElement[bool]:
    """SQL of `overseen` on a register whose rows belong to one unit (`unit`, a column)."""
    units = overseen(directory, caller)
    if units is None:
        return true()
    return unit.in_(units) if caller.role in readers else false()


def conflicted(directory: Directory, caller: Principal) -> set[str]:
    """Accused units whose cases the caller must not see: its own, and every unit above it."""
    units = {caller.unit}
    if caller.unit in directory:
        units |= set(directory.ancestors(caller.unit))
    return units


def case_filter(directory: Directory, caller: Principal) -> ColumnElement[bool]:
    """SQL condition selecting the cases the caller may see."""
    if caller.role == "auditor":
        return true()
    if caller.role not in CASE_READERS:
        return false()
    units = reach(directory, caller)
    related: ColumnElement[bool] = {
        "city_office": true(),
        "inspector": cases.c.receiving_unit.in_(units),
        "supervisor": or_(
            cases.c.handling_unit.in_(units),
            cases.c.lead_unit.in_(units),
            cases.c.escalated_to == caller.unit,
        ),
    }.get(caller.role, or_(cases.c.handling_unit == caller.unit, cases.c.lead_unit == caller.unit))
    guard = _not_accusing(conflicted(directory, caller))
    if caller.role in HANDLERS:
        related = or_(related, _co_unit(caller.unit))
        return or_(and_(guard, related), cases.c.rectifying_unit == caller.unit)
    return and_(guard, related)


def _co_unit(unit: str) -> ColumnElement[bool]:
    """SQL: `unit` is one of the case's co-responsible units (a JSON list of quoted ids)."""
    return cast(cases.c.co_units, Text).contains(json.dumps(unit), autoescape=True)


def _not_accusing(units: set[str]) -> ColumnElement[bool]:
    """SQL: the case accuses none of `units` (its first accused unit nor any other)."""
    first = or_(cases.c.accused_unit.is_(None), cases.c.accused_unit.notin_(units))
    # `accused_units` is a JSON list of ids: each id appears quoted.
    listed = cases.c.accused_units
    others = [~listed.contains(json.dumps(u), autoescape=True) for u in sorted(units)]
    return and_(first, or_(cases.c.accused_units.is_(None), and_(*others)))


def accused_of(row: Mapping[str, Any]) -> set[str]:
    """Every unit a case row accuses (cases opened before cases_0005 keep only the one)."""
    units = set(json.loads(row.get("accused_units") or "[]"))
    return units | ({row["accused_unit"]} if row["accused_unit"] else set())


def relation(directory: Directory, caller: Principal, row: Mapping[str, Any]) -> Relation | None:
    """How the caller relates to one case (None: outside its scope, answer 404)."""
    if caller.role == "auditor":
        return Relation.FULL
    if caller.role not in CASE_READERS:
        return None
    if not accused_of(row) & conflicted(directory, caller):
        found = _related(directory, caller, row)
        if found is not None:
            return found
    if caller.role in HANDLERS and row["rectifying_unit"] == caller.unit:
        return Relation.RECTIFIER
    return None


def _related(directory: Directory, caller: Principal, row: Mapping[str, Any]) -> Relation | None:
    units = reach(directory, caller)
    if caller.role == "city_office":
        return Relation.FULL
    if caller.role == "inspector":
        return Relation.RECEIVER if row["receiving_unit"] in units else None
    if caller.role == "supervisor":
        own = {row["handling_unit"], row["lead_unit"]} & units
        return Relation.FULL if own or row["escalated_to"] == caller.unit else None
    mine = caller.unit in (row["handling_unit"], row["lead_unit"])
    if mine:
        return Relation.FULL
    return Relation.CO_UNIT if caller.unit in (row.get("co_units") or ()) else None


def actor(directory: Directory, caller: Principal, handling_unit: str) -> Actor:
    """The state machine's view of the caller for a case handled by `handling_unit`."""
    supervises = caller.role == "supervisor" and handling_unit in reach(directory, caller)
    supervises = supervises and handling_unit != caller.unit
    return Actor(caller.unit, Role(caller.role), caller.sub, supervises_handling_unit=supervises)
