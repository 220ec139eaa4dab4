"""The problem list's entries: problems (numbered, each in at most one national area) and the
plan's measures, validated as they are read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
