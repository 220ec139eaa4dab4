"""Which counties' case events an integrator may receive (issue 15.3).

An integrator acts for a unit; it receives the case events of that unit's county only, except
a city-level unit (county 371400, the city code), which may take every county. A unit the
directory does not know has no county, so it may take nothing. Checked when subscribing and
again for every event fanned out and every delivery sent, so a subscription stored before this
rule (or edited in the database) never receives another county's events.
"""

from __future__ import annotations

from shared.directory import Directory


def integrator_counties(directory: Directory, unit: str) -> frozenset[str] | None:
    """The counties `unit`'s integrators may subscribe to; None: all of them."""
    if unit not in directory:
        return frozenset()
    county = directory.unit(unit).county
    return None if county == directory.city_code else frozenset({county})


def may_receive(directory: Directory, unit: str, county: str) -> bool:
    """Whether an event under `county` may go to a subscription owned by `unit`."""
    allowed = integrator_counties(directory, unit)
    return allowed is None or county in allowed
