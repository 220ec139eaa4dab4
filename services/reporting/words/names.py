"""Display names of counties, units and problems from the directory and the problem list, in one
language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from services.reporting.words.labels import FIELDS, FINDINGS, STATUSES
from shared.directory import Directory
from shared.taxonomy import Taxonomy


@dataclass(frozen=True)
class Names:
    """Display names from the directory and the problem list, in one language."""

    directory: Directory
    taxonomy: Taxonomy
    english: bool = False

    def word(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.english else pair[0]

    def field(self, name: str) -> str:
        return self.word(FIELDS[name])

    @cached_property
    def _counties(self) -> dict[str, str]:
        pairs = self.directory.counties() + [(self.directory.city_code, self.directory.city.name)]
        return dict(pairs)

    def county(self, code: str | None) -> str:
        return self._counties.get(code or "", code or "")

    def unit(self, unit_id: str | None) -> str:
        return self.directory.name_of(unit_id, self.english) if unit_id else ""

    def problem(self, number: str | int | None) -> str:
        if number in (None, "", "unclassified"):
            return "未归类" if not self.english else "unclassified"
        try:
            item = self.taxonomy.problem(int(number))
        except (KeyError, ValueError):
            return str(number)
        return f"{item.number} {item.title_en if self.english else item.title}"

    def status(self, status: str | None) -> str:
        return self.word(STATUSES[status]) if status in STATUSES else status or ""

    def finding(self, finding: str | None) -> str:
        return self.word(FINDINGS[finding]) if finding in FINDINGS else finding or ""

    def key(self, group_by: str, key: str) -> str:
        """The display name of a stats group key."""
        if group_by == "county":
            return self.county(key)
        if group_by == "unit":
            return self.unit(key)
        if group_by == "problem":
            return self.problem(key)
        return key
