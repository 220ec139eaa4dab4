"""What the directory is made of: counties, units and their lines of supervision, each
validated as it is read."""

import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

Kind = Literal["leading_group", "office", "department", "discipline", "procuratorate",
               "township", "village", "work_team"]  # fmt: skip
Level = Literal["city", "county", "township", "village"]
By = Literal["locality", "sector"]

# The kinds a county (or the city) has at most one of at its own level: routing looks them up.
SINGLE_KINDS = ("office", "discipline", "procuratorate")


class DirectoryError(ValueError):
    """The directory data is invalid; the message names the offending entry."""


def _int_to_str(value: object) -> object:
    # YAML reads an unquoted 371402 as an int: accept it rather than fail on a quoting slip.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_int_to_str), StringConstraints(pattern=r"^\d{6}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class County(Frozen):
    """A county-level area (or the city itself): division code and zh name."""

    code: Code
    name: Text


class Supervision(Frozen):
    """One supervising unit and the line it supervises along (locality or sector)."""

    unit: Slug
    by: By


class Unit(Frozen):
    """A unit of the campaign: leading group, office, department, discipline organ, ..."""

    id: Slug
    name: Text
    name_en: str | None = None
    kind: Kind
    level: Level
    county: Code
    supervisors: tuple[Supervision, ...] = ()
    aliases: tuple[Text, ...] = ()
    # A resident work team (驻村工作队, with its first secretary): the unit that sent it. Cases
    # about an absent or token team go to that unit and the organisation department.
    dispatched_by: Slug | None = None


def normalize(text: str) -> str:
    # Full-width forms and stray spaces are common in typed or scanned complaints.
    return "".join(unicodedata.normalize("NFKC", text).split())
