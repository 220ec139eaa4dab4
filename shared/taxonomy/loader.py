"""Load and validate the versioned problem list and measures (problems.yaml).

Pure: the only I/O is reading the YAML file, and only when a loader is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# The plan's six national areas (国务院扶贫开发领导小组, 2017 notice); a problem names one only
# where the mapping is certain.
NATIONAL_AREAS = frozenset(
    {
        "“四个意识”不强",
        "责任落实不到位",
        "工作措施不精准",
        "资金管理使用不规范",
        "工作作风不扎实",
        "考核监督从严要求不够",
    }
)

# The measures present in the seed: (一)–(五) and (九). (六)–(八) are absent from the excerpt;
# a fuller plan must widen this set deliberately rather than slip in unnumbered text.
MEASURE_NUMBERS = frozenset({1, 2, 3, 4, 5, 9})

_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}


class TaxonomyError(ValueError):
    """The problem list is malformed; the message names the offending entry."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Problem(_Frozen):
    """One numbered problem (主要问题) with its seed text."""

    number: int = Field(gt=0)
    title: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    text: str = Field(min_length=1)
    national_area: str | None = None

    @field_validator("national_area")
    @classmethod
    def _known_area(cls, value: str | None) -> str | None:
        if value is not None and value not in NATIONAL_AREAS:
            raise ValueError(f"unknown national area {value!r}")
        return value


class Measure(_Frozen):
    """One numbered measure (主要措施) with its lead and responsible units, as named in the seed."""

    number: int
    title: str = Field(min_length=1)
    summary_en: str = Field(min_length=1)
    text: str = Field(min_length=1)
    lead_units: tuple[str, ...] = Field(min_length=1)
    responsible_units: tuple[str, ...] = ()

    @field_validator("number")
    @classmethod
    def _allowed_number(cls, value: int) -> int:
        if value not in MEASURE_NUMBERS:
            allowed = sorted(MEASURE_NUMBERS)
            raise ValueError(f"measure number {value} is outside the allowed set {allowed}")
        return value

    @property
    def label(self) -> str:
        """The seed's own numbering, e.g. "(九)"."""
        return f"({_NUMERALS[self.number]})"


class Taxonomy(_Frozen):
    """The versioned problem list; immutable once loaded."""

    version: str = Field(min_length=1)
    source: str | None = None
    problem_list: tuple[Problem, ...]
    measure_list: tuple[Measure, ...] = ()

    def problem(self, number: int) -> Problem:
        """The problem with this number; KeyError if the list has none."""
        for item in self.problem_list:
            if item.number == number:
                return item
        raise KeyError(f"no problem number {number} in taxonomy {self.version}")

    def problems(self) -> tuple[Problem, ...]:
        """All problems, in ascending number order."""
        return self.problem_list

    def numbers(self) -> tuple[int, ...]:
        """The problem numbers present, ascending (gaps are real: the seed is an excerpt)."""
        return tuple(item.number for item in self.problem_list)

    def measures(self) -> tuple[Measure, ...]:
        """All measures, in ascending number order."""
        return self.measure_list

    def __contains__(self, number: object) -> bool:
        return number in self.numbers()


def parse_taxonomy(data: Any) -> Taxonomy:
    """Validate an already-parsed YAML document and build the taxonomy."""
    if not isinstance(data, Mapping):
        raise TaxonomyError("taxonomy: top level must be a mapping")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise TaxonomyError("taxonomy: 'version' must be a non-empty string")
    problems = _entries(data.get("problems"), "problems", Problem, required=True)
    measures = _entries(data.get("measures", []), "measures", Measure, required=False)
    try:
        return Taxonomy(
            version=version,
            source=data.get("source"),
            problem_list=tuple(sorted(problems, key=lambda p: p.number)),
            measure_list=tuple(sorted(measures, key=lambda m: m.number)),
        )
    except ValidationError as exc:
        raise TaxonomyError(f"taxonomy: {_first_error(exc)}") from exc


def _entries(raw: Any, section: str, model: type[Any], required: bool) -> list[Any]:
    """Validate one list section entry by entry, so an error names the entry it is about."""
    if not isinstance(raw, list) or (required and not raw):
        raise TaxonomyError(f"{section}: must be a {'non-empty ' if required else ''}list")
    built: list[Any] = []
    seen: set[int] = set()
    for index, entry in enumerate(raw):
        where = _where(section, index, entry)
        if not isinstance(entry, Mapping):
            raise TaxonomyError(f"{where}: must be a mapping")
        try:
            item = model.model_validate(dict(entry))
        except ValidationError as exc:
            raise TaxonomyError(f"{where}: {_first_error(exc)}") from exc
        if item.number in seen:
            raise TaxonomyError(f"{where}: duplicate number {item.number}")
        seen.add(item.number)
        built.append(item)
    return built


def _where(section: str, index: int, entry: Any) -> str:
    number = entry.get("number") if isinstance(entry, Mapping) else None
    return f"{section}[{index}] (number {number})"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(part) for part in err["loc"]) or "entry"
    return f"{field}: {err['msg']}"


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load the problem list from `path`, or the packaged one (read once, then cached)."""
    if path is None:
        return _default_taxonomy()
    return _load_file(Path(path))


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    text = resources.files(__package__).joinpath("problems.yaml").read_text(encoding="utf-8")
    return _parse_text(text, "problems.yaml")


def _load_file(path: Path) -> Taxonomy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read ({exc.strerror})") from exc
    return _parse_text(text, str(path))


def _parse_text(text: str, name: str) -> Taxonomy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{name}: invalid YAML ({exc})") from exc
    return parse_taxonomy(data)
