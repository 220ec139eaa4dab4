"""The plan's measures (`measures.yaml`) with their lead and responsible units resolved against
the directory."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from shared.directory import Directory

# How the plan groups its 责任单位 (see measures.yaml).
GROUPS = ("counties", "members")


class Measure(BaseModel):
    """One measure of the plan: its number (一 …), title, text, 牵头单位 and 责任单位 groups."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    title_en: str
    text: str
    lead: tuple[str, ...]
    responsible: tuple[str, ...]

    def responsible_units(self, directory: Directory) -> tuple[str, ...]:
        """The unit ids the plan's groups stand for, in directory order."""
        return tuple(u for g in self.responsible for u in group_units(directory, g))


class Measures(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    measures: tuple[Measure, ...]

    def get(self, measure_id: str) -> Measure | None:
        return next((m for m in self.measures if m.id == measure_id), None)


def group_units(directory: Directory, group: str) -> tuple[str, ...]:
    """各县市区: every county's poverty-relief office; 各成员单位: the city departments."""
    city = directory.city_code
    if group == "counties":
        found = (directory.office_of(code) for code, _ in directory.counties())
        return tuple(unit.id for unit in found if unit is not None)
    if group == "members":
        units = directory.units()
        return tuple(u.id for u in units if u.county == city and u.kind == "department")
    raise ValueError(f"unknown group of responsible units: {group}")


@lru_cache(maxsize=1)
def load_measures() -> Measures:
    text = resources.files(__package__).joinpath("measures.yaml").read_text(encoding="utf-8")
    return Measures.model_validate(yaml.safe_load(text))
