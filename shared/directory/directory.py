"""The validated directory and the questions routing and scope ask of it (whose office, who
supervises whom, which unit a text names)."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from shared.directory.units import County, Supervision, Unit, normalize


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

    def holds(self, unit_id: str, role: str) -> bool:
        """Whether a person of `role` may belong to `unit_id`: a directory unit; or, for the
        Women's Federation's roles, a unit `<county code>-...` of a known county. County and
        village women's federations are not in the campaign's directory, whose units are routing
        targets matched in report text (issue 23)."""
        if unit_id in self._units:
            return True
        federation = role in ("federation_officer", "village_cadre")
        return federation and unit_id[:7] in {f"{code}-" for code, _ in self.counties()}

    def name_of(self, unit_id: str, english: bool = False) -> str:
        """A unit as people call it: the directory's name; a county women's federation
        (`<county>-fl`, not a directory unit) its county's name and 妇联; else the id."""
        if unit_id in self._units:
            unit = self._units[unit_id]
            return (unit.name_en or unit.name) if english else unit.name
        county, _, rest = unit_id.partition("-")
        name = dict(self.counties()).get(county)
        if rest == "fl" and name:
            return f"{name} Women's Federation" if english else f"{name}妇联"
        return unit_id

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
        norm = normalize(text)
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
