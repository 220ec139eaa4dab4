"""Which counties' case events an integrator may receive (issue 15.3).

An integrator acts for a unit; it receives the case events of that unit's county only, except
a city-level unit (county 371400, the city code), which may take every county. A unit the
directory does not know has no county, so it may take nothing. Checked when subscribing and
again for every event fanned out and every delivery sent, so a subscription stored before this
rule (or edited in the database) never receives another county's events.
"""

from __future__ import annotations

from shared.directory import Directory
from shared.errors import Refusal


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


def counties_to_store(directory: Directory, unit: str, asked: list[str]) -> list[str]:
    """The counties a new subscription of `unit` is stored with, or a refusal (403). The codes
    are valid (422 came first) and public, so naming another county is not outside the caller's
    scope (404) but something its role may not do for its unit: 403, as the status rule says."""
    allowed = integrator_counties(directory, unit)
    if allowed is None:
        return sorted(set(asked))  # a city-level integrator: empty still means every county
    if not allowed:
        raise Refusal.forbidden(
            "本单位不在名录中，不能订阅", "your unit is not in the directory: no county to take"
        )
    refused = ", ".join(sorted(set(asked) - allowed))
    if refused:
        own = ", ".join(sorted(allowed))
        raise Refusal.forbidden(
            f"只能订阅本单位所在区县（{own}）的事件，不能订阅 {refused}",
            f"only your unit's county ({own}) may be subscribed to, not {refused}",
        )
    return sorted(allowed)
