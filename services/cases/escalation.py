"""Where a case goes up to (escalation) or across to (a transfer's receiving organ), never to the
accused unit nor to a unit it supervises. Pure: the directory in, unit ids out."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterator

from shared.directory import Directory

Accused = str | Collection[str] | None  # one accused unit, or all of a case's


def blocked(directory: Directory, accused: Accused) -> frozenset[str]:
    """The accused units and every unit under them: none of them may receive their case."""
    units = (accused,) if isinstance(accused, str) else tuple(accused or ())
    out = frozenset(units)
    for unit in units:
        if unit in directory:
            out |= directory.subordinates(unit)
    return out


def above(directory: Directory, start: str, prefer: str) -> Iterator[str]:
    """Units above `start`, nearest first; at each step the `prefer` line first."""
    if start not in directory:
        return
    seen, queue = {start}, deque([start])
    while queue:
        lines = sorted(directory.supervisors_of(queue.popleft()), key=lambda s: s.by != prefer)
        for sup in lines:
            if sup.unit not in seen:
                seen.add(sup.unit)
                queue.append(sup.unit)
                yield sup.unit


def _first(candidates: Iterator[str], out: frozenset[str]) -> str | None:
    return next((unit for unit in candidates if unit not in out), None)


def automatic_target(
    directory: Directory, handling_unit: str, accused: Accused, prefer: str
) -> str:
    """Who a missed deadline is escalated to: the handling unit's nearest independent supervisor,
    else the city office, else the handling unit itself (nothing independent above it)."""
    out = blocked(directory, accused) | {handling_unit}
    found = _first(above(directory, handling_unit, prefer), out)
    city = directory.city_office().id
    return found or (city if city not in out else handling_unit)


def manual_target(
    directory: Directory, actor_unit: str, handling_unit: str, accused: Accused, prefer: str
) -> str:
    """Who a supervisor's escalation goes to: one level above the one escalating (the actor's
    unit when it is above the handling unit or is it, else the handling unit)."""
    over_handling = actor_unit == handling_unit or (
        handling_unit in directory and actor_unit in directory.ancestors(handling_unit)
    )
    start = actor_unit if over_handling and actor_unit in directory else handling_unit
    out = blocked(directory, accused) | {handling_unit, actor_unit}
    found = _first(above(directory, start, prefer), out)
    return found or automatic_target(directory, handling_unit, accused, prefer)


def receiving_unit(
    directory: Directory, organ: str, handling_unit: str, accused: Accused, prefer: str
) -> str | None:
    """The organ that receives a transfer: discipline inspection at the level the case is handled
    (the city's for city units), or the procuratorate; walked up if it is the accused's."""
    county = directory.unit(handling_unit).county if handling_unit in directory else None
    if organ == "discipline_inspection":
        unit = (county and directory.discipline_of(county)) or directory.discipline_of(
            directory.city_code
        )
    else:
        unit = directory.procuratorate()
    if unit is None:
        return None
    out = blocked(directory, accused)
    return _first(iter([unit.id, *above(directory, unit.id, prefer)]), out)
