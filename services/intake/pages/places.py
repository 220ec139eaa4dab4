"""The report form's lists from the directory and the problem list: counties, the townships of
each county (the directory's examples; a deployment lists its own), the problem hints."""

from __future__ import annotations

from dataclasses import dataclass

from shared.directory import Directory
from shared.taxonomy import Taxonomy


@dataclass(frozen=True)
class Choices:
    counties: list[tuple[str, str]]
    townships: dict[str, list[tuple[str, str]]]  # county code -> [(unit id, name)]
    problems: list[tuple[int, str, str]]  # (number, title, plain text)


def choices(directory: Directory, taxonomy: Taxonomy, english: bool) -> Choices:
    townships: dict[str, list[tuple[str, str]]] = {}
    for unit in directory.units():
        if unit.kind == "township":
            name = unit.name_en if english and unit.name_en else unit.name
            townships.setdefault(unit.county, []).append((unit.id, name))
    problems = [(p.number, p.title_en if english else p.title, p.text) for p in taxonomy.problems()]
    return Choices(directory.counties(), townships, problems)


def township_name(directory: Directory, unit_id: str, county: str) -> tuple[str | None, bool]:
    """The township a picker's value names, and whether it lies in `county`."""
    if not unit_id or unit_id not in directory:
        return None, True
    unit = directory.unit(unit_id)
    if unit.kind != "township":
        return None, True
    return unit.name, unit.county == county
