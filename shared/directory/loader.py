"""Load and validate the directory of units taking part in the campaign.

The directory is data (YAML shipped in this package), checked whole when loaded: a bad file
fails at start with a message naming the entry, never later inside a routing decision.
"""

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

Kind = Literal["leading_group", "office", "department", "discipline", "procuratorate",
               "township", "village", "work_team"]  # fmt: skip
Level = Literal["city", "county", "township", "village"]
By = Literal["locality", "sector"]

PACKAGED_FILE = "dezhou.yaml"
# The kinds a county (or the city) has at most one of at its own level: routing looks them up.
_SINGLE_KINDS = ("office", "discipline", "procuratorate")


class DirectoryError(ValueError):
    """The directory data is invalid; the message names the offending entry."""


def _int_to_str(value: object) -> object:
    # YAML reads an unquoted 371402 as an int: accept it rather than fail on a quoting slip.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_int_to_str), StringConstraints(pattern=r"^\d{6}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class County(_Frozen):
    """A county-level area (or the city itself): division code and zh name."""

    code: Code
    name: Text


class Supervision(_Frozen):
    """One supervising unit and the line it supervises along (locality or sector)."""

    unit: Slug
    by: By


class Unit(_Frozen):
    """A unit of the campaign: leading group, office, department, discipline organ, ..."""

    id: Slug
    name: Text
    name_en: str | None = None
    kind: Kind
    level: Level
    county: Code
    supervisors: tuple[Supervision, ...] = ()
    aliases: tuple[Text, ...] = ()


def _normalize(text: str) -> str:
    # Full-width forms and stray spaces are common in typed or scanned complaints.
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True, eq=False)  # identity equality: usable as a cache key
class Directory:
    """The validated directory: units, county-level areas and supervision lines (read-only)."""

    city: County
    _counties: tuple[County, ...]
    _units: Mapping[str, Unit]
    _below: Mapping[str, tuple[str, ...]]
    _single: Mapping[tuple[str, str], str]
    _aliases: tuple[tuple[str, int, str], ...]

    @property
    def city_code(self) -> str:
        """The city's code (371400): the county of every city-level unit."""
        return self.city.code

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id; KeyError if there is none."""
        return self._units[unit_id]

    def units(self) -> tuple[Unit, ...]:
        """All units, in file order."""
        return tuple(self._units.values())

    def counties(self) -> list[tuple[str, str]]:
        """The county-level areas as (code, name), in file order; the city is not among them."""
        return [(c.code, c.name) for c in self._counties]

    def office_of(self, county: str) -> Unit | None:
        """The poverty-relief office (扶贫办) of a county, or the city office for 371400."""
        return self._find("office", county)

    def discipline_of(self, county: str) -> Unit | None:
        """The discipline inspection organ of a county, or the city's for 371400."""
        return self._find("discipline", county)

    def procuratorate(self) -> Unit | None:
        """The city-level procuratorate (检察机关), if the directory has one."""
        return self._find("procuratorate", self.city_code)

    def city_office(self) -> Unit:
        """The city poverty-relief office (市扶贫办); loading guarantees there is one."""
        return self._units[self._single[("office", self.city_code)]]

    def supervisors_of(self, unit_id: str) -> tuple[Supervision, ...]:
        """The direct supervisors of a unit, in file order."""
        return self.unit(unit_id).supervisors

    def ancestors(self, unit_id: str) -> frozenset[str]:
        """Every unit above this one, by any line of supervision."""
        return self._reach(unit_id, lambda u: (s.unit for s in self._units[u].supervisors))

    def subordinates(self, unit_id: str) -> frozenset[str]:
        """Every unit this one supervises, directly or through others."""
        return self._reach(unit_id, lambda u: self._below[u])

    def match(self, text: str) -> str | None:
        """The id of the unit whose name or alias occurs in text; the longest match wins."""
        norm = _normalize(text)
        hits = [(-len(a), norm.find(a), order, uid) for a, order, uid in self._aliases if a in norm]
        # Ties on length go to the earliest mention, then to file order: deterministic.
        return min(hits)[3] if hits else None

    def _find(self, kind: str, county: str) -> Unit | None:
        unit_id = self._single.get((kind, county))
        return self._units[unit_id] if unit_id else None

    def _reach(self, start: str, step: Callable[[str], Iterable[str]]) -> frozenset[str]:
        self.unit(start)  # an unknown id is a caller's bug: raise KeyError, not an empty set
        seen: set[str] = set()
        todo = [start]
        while todo:
            fresh = set(step(todo.pop())) - seen
            seen |= fresh
            todo.extend(fresh)
        return frozenset(seen)


M = TypeVar("M", bound=BaseModel)


def _model(cls: type[M], raw: object, entry: str) -> M:
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors()
        )
        raise DirectoryError(f"{entry}: {detail}") from None


def _entry_name(raw: object, index: int) -> str:
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        return f"unit {raw['id']!r}"
    return f"unit #{index + 1}"


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise DirectoryError(f"directory: '{key}' must be a list")
    return value


def _unique(items: Iterable[M], key: Callable[[M], str], what: str) -> dict[str, M]:
    index: dict[str, M] = {}
    for item in items:
        if key(item) in index:
            raise DirectoryError(f"duplicate {what} {key(item)!r}")
        index[key(item)] = item
    return index


def _check_unit(unit: Unit, codes: set[str], city_code: str, ids: Mapping[str, Unit]) -> None:
    if unit.county not in codes:
        raise DirectoryError(f"unit {unit.id!r}: unknown county code {unit.county!r}")
    # City units carry the city's code and only they do: stats and subjects rely on it.
    if (unit.level == "city") != (unit.county == city_code):
        raise DirectoryError(f"unit {unit.id!r}: level {unit.level!r} misfits county {unit.county}")
    for sup in unit.supervisors:
        if sup.unit not in ids:
            raise DirectoryError(f"unit {unit.id!r}: unknown supervisor {sup.unit!r}")


def _single_index(units: Iterable[Unit], city_code: str) -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for u in units:
        if u.kind in _SINGLE_KINDS and u.level == ("city" if u.county == city_code else "county"):
            if (key := (u.kind, u.county)) in index:
                raise DirectoryError(f"unit {u.id!r}: {u.kind} of {u.county} is {index[key]!r}")
            index[key] = u.id
    if ("office", city_code) not in index:
        raise DirectoryError(f"directory: no city office (a unit of kind office in {city_code})")
    return index


def _check_acyclic(directory: Directory) -> None:
    # A unit on a cycle is its own ancestor; the walk up is short, so this stays cheap.
    for unit in directory.units():
        if unit.id in (above := directory.ancestors(unit.id)):
            ring = sorted(u for u in above if unit.id in directory.ancestors(u))
            raise DirectoryError(f"unit {unit.id!r}: supervision cycle among {', '.join(ring)}")


def _alias_index(units: Iterable[Unit]) -> tuple[tuple[str, int, str], ...]:
    owner: dict[str, str] = {}
    rows: list[tuple[str, int, str]] = []
    for order, unit in enumerate(units):
        for alias in map(_normalize, (unit.name, *unit.aliases)):
            if owner.get(alias, unit.id) != unit.id:
                raise DirectoryError(f"unit {unit.id!r}: alias {alias!r} names {owner[alias]!r}")
            if alias not in owner:
                owner[alias] = unit.id
                rows.append((alias, order, unit.id))
    return tuple(rows)


def _below(units: Mapping[str, Unit]) -> dict[str, tuple[str, ...]]:
    below: dict[str, list[str]] = {uid: [] for uid in units}
    for unit in units.values():
        for sup in unit.supervisors:
            below[sup.unit].append(unit.id)
    return {uid: tuple(subs) for uid, subs in below.items()}


def parse_directory(data: object) -> Directory:
    """Validate directory data (as read from YAML) and build the Directory.

    Raises DirectoryError naming the entry for an unknown supervisor or county code, a
    supervision cycle, a duplicate id or alias, a bad kind or level, or a missing city office.
    """
    if not isinstance(data, Mapping):
        raise DirectoryError("directory: expected a mapping with city, counties and units")
    city = _model(County, data.get("city"), "city")
    counties = [_model(County, c, f"county #{n}") for n, c in enumerate(_list(data, "counties"), 1)]
    _unique([city, *counties], lambda c: c.code, "county code")
    units = _unique(
        [_model(Unit, u, _entry_name(u, i)) for i, u in enumerate(_list(data, "units"))],
        lambda u: u.id,
        "unit id",
    )
    codes = {city.code, *(c.code for c in counties)}
    for unit in units.values():
        _check_unit(unit, codes, city.code, units)
    directory = Directory(
        city=city,
        _counties=tuple(counties),
        _units=MappingProxyType(units),
        _below=MappingProxyType(_below(units)),
        _single=MappingProxyType(_single_index(units.values(), city.code)),
        _aliases=_alias_index(units.values()),
    )
    _check_acyclic(directory)
    return directory


def _parse_yaml(text: str, source: str) -> Directory:
    try:
        return parse_directory(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise DirectoryError(f"{source}: not valid YAML: {exc}") from None


@lru_cache(maxsize=1)
def _packaged_directory() -> Directory:
    text = resources.files("shared.directory").joinpath(PACKAGED_FILE).read_text("utf-8")
    return _parse_yaml(text, PACKAGED_FILE)


def load_directory(path: Path | None = None) -> Directory:
    """Load the directory from path, or the packaged Dezhou directory (cached) when None."""
    if path is None:
        return _packaged_directory()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror}") from None
    return _parse_yaml(text, str(path))
