"""Who may read what: roles for reporting's routes and the units a caller sees case rows of."""

from __future__ import annotations

from shared.auth import Principal
from shared.directory import Directory

READERS = ("officer", "leader", "supervisor", "city_office", "inspector", "auditor")
EVERYTHING = ("city_office", "auditor", "inspector")
# Accountability is decided by the city's leading-group office, discipline inspection and, for
# the units below it, a supervising department (each sees only the alerts in its view).
DECIDERS = ("city_office", "supervisor", "inspector")


def units_in_view(caller: Principal, directory: Directory) -> frozenset[str] | None:
    """Units whose cases (and alerts) the caller sees; None: all of them."""
    if caller.role in EVERYTHING:
        return None
    if caller.role == "supervisor" and caller.unit in directory:
        return frozenset({caller.unit} | directory.subordinates(caller.unit))
    return frozenset({caller.unit})


def counties_in_view(caller: Principal, directory: Directory) -> set[str]:
    """The county of the caller's unit (its county-wide alerts are the caller's business)."""
    if caller.unit in directory:
        return {directory.unit(caller.unit).county}
    return set()
