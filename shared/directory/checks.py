"""The checks a directory passes whole when loaded, each failure naming the offending entry."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.directory.directory import Directory
from shared.directory.units import SINGLE_KINDS, DirectoryError, Unit, normalize

M = TypeVar("M", bound=BaseModel)


def validated(cls: type[M], raw: object, entry: str) -> M:
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors()
        )
        raise DirectoryError(f"{entry}: {detail}") from None


def entry_name(raw: object, index: int) -> str:
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        return f"unit {raw['id']!r}"
    return f"unit #{index + 1}"


def list_of(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise DirectoryError(f"directory: '{key}' must be a list")
    return value


def unique(items: Iterable[M], key: Callable[[M], str], what: str) -> dict[str, M]:
    index: dict[str, M] = {}
    for item in items:
        if key(item) in index:
            raise DirectoryError(f"duplicate {what} {key(item)!r}")
        index[key(item)] = item
    return index


def check_unit(unit: Unit, codes: set[str], city_code: str, ids: Mapping[str, Unit]) -> None:
    if unit.county not in codes:
        raise DirectoryError(f"unit {unit.id!r}: unknown county code {unit.county!r}")
    # City units carry the city's code and only they do: stats and subjects rely on it.
    if (unit.level == "city") != (unit.county == city_code):
        raise DirectoryError(f"unit {unit.id!r}: level {unit.level!r} misfits county {unit.county}")
    for sup in unit.supervisors:
        if sup.unit not in ids:
            raise DirectoryError(f"unit {unit.id!r}: unknown supervisor {sup.unit!r}")
    if unit.dispatched_by is not None and unit.dispatched_by not in ids:
        raise DirectoryError(f"unit {unit.id!r}: unknown dispatching unit {unit.dispatched_by!r}")


def single_index(units: Iterable[Unit], city_code: str) -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for u in units:
        if u.kind in SINGLE_KINDS and u.level == ("city" if u.county == city_code else "county"):
            if (key := (u.kind, u.county)) in index:
                raise DirectoryError(f"unit {u.id!r}: {u.kind} of {u.county} is {index[key]!r}")
            index[key] = u.id
    if ("office", city_code) not in index:
        raise DirectoryError(f"directory: no city office (a unit of kind office in {city_code})")
    return index


def check_acyclic(directory: Directory) -> None:
    # A unit on a cycle is its own ancestor; the walk up is short, so this stays cheap.
    for unit in directory.units():
        if unit.id in (above := directory.ancestors(unit.id)):
            ring = sorted(u for u in above if unit.id in directory.ancestors(u))
            raise DirectoryError(f"unit {unit.id!r}: supervision cycle among {', '.join(ring)}")


def alias_index(units: Iterable[Unit]) -> tuple[tuple[str, int, str], ...]:
    owner: dict[str, str] = {}
    rows: list[tuple[str, int, str]] = []
    for order, unit in enumerate(units):
        for alias in map(normalize, (unit.name, *unit.aliases)):
            if owner.get(alias, unit.id) != unit.id:
                raise DirectoryError(f"unit {unit.id!r}: alias {alias!r} names {owner[alias]!r}")
            if alias not in owner:
                owner[alias] = unit.id
                rows.append((alias, order, unit.id))
    return tuple(rows)


def below(units: Mapping[str, Unit]) -> dict[str, tuple[str, ...]]:
    below: dict[str, list[str]] = {uid: [] for uid in units}
    for unit in units.values():
        for sup in unit.supervisors:
            below[sup.unit].append(unit.id)
    return {uid: tuple(subs) for uid, subs in below.items()}
