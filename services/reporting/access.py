"""Who may read what: roles for reporting's routes and the units a caller sees case rows of.

Aggregates follow the case rules (services/cases/scope.py, re-derived here from the directory
since reporting does not import cases; issue 15.17): the city office, auditors, inspectors and
the leaders of the city's leading group and its office see the whole city; a supervisor, and a
leader of a county leading group, the units it supervises (its own included); any other
officer or leader its own unit. Stats count cases by their handling unit, and a case never goes
to the unit it accuses nor to one that unit supervises, so these figures never count
accusations against the caller. The ranking counts reports about each unit: it never shows a
caller its own unit nor a unit above it (the accused never learn of what is reported about them).
"""

from __future__ import annotations

from shared.auth import Principal
from shared.directory import Directory

READERS = ("officer", "leader", "supervisor", "city_office", "inspector", "auditor")
EVERYTHING = ("city_office", "auditor", "inspector")
# Accountability is decided by the city's leading-group office, discipline inspection and, for
# the units below it, a supervising department (each sees only the alerts in its view).
DECIDERS = ("city_office", "supervisor", "inspector")
# Unit kinds whose leaders lead others: the campaign's leading groups and their offices.
LEADING_KINDS = ("leading_group", "office")


def units_in_view(caller: Principal, directory: Directory) -> frozenset[str] | None:
    """Units whose cases (and alerts) the caller sees; None: all of them."""
    if caller.role in EVERYTHING:
        return None
    if caller.role == "supervisor" and caller.unit in directory:
        return frozenset({caller.unit} | directory.subordinates(caller.unit))
    return frozenset({caller.unit})


def figures_in_view(caller: Principal, directory: Directory) -> frozenset[str] | None:
    """Handling units whose aggregate figures the caller sees; None: the whole city."""
    if caller.role in EVERYTHING:
        return None
    if caller.role == "leader" and caller.unit in directory:
        unit = directory.unit(caller.unit)
        if unit.kind in LEADING_KINDS and unit.county == directory.city_code:
            return None  # the city's leading group and its office lead the whole campaign
        if unit.kind == "leading_group":
            return frozenset({caller.unit} | directory.subordinates(caller.unit))
    return units_in_view(caller, directory)


def hidden_subjects(caller: Principal, directory: Directory) -> frozenset[str]:
    """Units whose ranking row the caller must not see: its own and every unit above it (the
    auditor, who reads everything including the audit trail, as in cases, sees all)."""
    if caller.role == "auditor":
        return frozenset()
    if caller.unit not in directory:
        return frozenset({caller.unit})
    return frozenset({caller.unit} | directory.ancestors(caller.unit))


def counties_in_view(caller: Principal, directory: Directory) -> set[str]:
    """The county of the caller's unit (its county-wide alerts are the caller's business)."""
    if caller.unit in directory:
        return {directory.unit(caller.unit).county}
    return set()
