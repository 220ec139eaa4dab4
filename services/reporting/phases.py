"""The campaign's configured phases (`phases.yaml` or a deployment's file) and the days a phase
covers."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Phase(BaseModel):
    """A campaign period (e.g. the 2018 concentrated year, a quarter, the continuous phase)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    name_en: str
    first: date = Field(alias="from")
    last: date | None = Field(None, alias="to")  # open-ended: still running

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"phase {self.id}: 'to' is before 'from'")
        return self


class Phases(BaseModel):
    model_config = ConfigDict(frozen=True)
    phases: tuple[Phase, ...]

    def get(self, phase_id: str) -> Phase | None:
        return next((p for p in self.phases if p.id == phase_id), None)


@lru_cache(maxsize=4)
def load_phases(path: Path | None = None) -> Phases:
    """The configured phases: a deployment's file, or the packaged `phases.yaml`."""
    if path is None:
        text = resources.files("services.reporting").joinpath("phases.yaml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return Phases.model_validate(yaml.safe_load(text))


def date_range(
    phase: Phase | None, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """A phase narrowed by explicit from/to (both apply: the intersection)."""
    if phase is None:
        return first, last
    starts = [d for d in (phase.first, first) if d is not None]
    ends = [d for d in (phase.last, last) if d is not None]
    return max(starts), (min(ends) if ends else None)
