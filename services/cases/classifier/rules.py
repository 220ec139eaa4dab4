"""The classifier's rules: per problem, weighted terms (plain substrings, or regular
expressions prefixed `re:`) and optional negative terms, read from `rules.yaml` beside this
module (once, on first use) or from a deployment's own file, and compiled.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

_REGEX_PREFIX = "re:"
_WHITESPACE = re.compile(r"\s+")


class RulesError(ValueError):
    """The classifier rules are malformed; the message names the offending entry."""


@dataclass(frozen=True)
class _Term:
    weight: float
    plain: str | None = None
    pattern: re.Pattern[str] | None = None

    def find(self, text: str) -> tuple[int, str] | None:
        """(position, matched text) of the first match, or None."""
        if self.pattern is not None:
            match = self.pattern.search(text)
            return (match.start(), match.group(0)) if match else None
        assert self.plain is not None
        position = text.find(self.plain)
        return (position, self.plain) if position >= 0 else None


@dataclass(frozen=True)
class Rules:
    """Compiled rules; build with `load_rules` or `parse_rules`."""

    version: str
    taxonomy_version: str
    threshold: float
    scale: float
    hint_boost: float
    strong_score: float
    max_candidates: int
    positive: Mapping[int, tuple[_Term, ...]]
    negative: Mapping[int, tuple[_Term, ...]]
    global_negative: tuple[_Term, ...]


class _ProblemRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: dict[str, float] = Field(min_length=1)
    negative: dict[str, float] = {}


class _RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1)
    taxonomy_version: str = Field(min_length=1)
    threshold: float = Field(gt=0.0, lt=1.0)
    scale: float = Field(gt=0.0)
    hint_boost: float = Field(ge=0.0)
    strong_score: float = Field(gt=0.0)
    max_candidates: int = Field(ge=1)
    global_negative: dict[str, float] = {}
    problems: dict[int, _ProblemRules] = Field(min_length=1)


def normalise(text: str) -> str:
    """Fold full-width forms and case and drop whitespace, so "扶 贫 款" matches "扶贫款"."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def parse_rules(data: Any) -> Rules:
    """Validate a parsed rules document and compile its terms once."""
    try:
        raw = _RulesFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(part) for part in err["loc"]) or "rules"
        raise RulesError(f"classifier rules: {where}: {err['msg']}") from exc
    problems = sorted(raw.problems.items())
    return Rules(
        version=raw.version,
        taxonomy_version=raw.taxonomy_version,
        threshold=raw.threshold,
        scale=raw.scale,
        hint_boost=raw.hint_boost,
        strong_score=raw.strong_score,
        max_candidates=raw.max_candidates,
        positive={n: _compile(p.terms, f"problems.{n}.terms") for n, p in problems},
        negative={n: _compile(p.negative, f"problems.{n}.negative") for n, p in problems},
        global_negative=_compile(raw.global_negative, "global_negative"),
    )


def _compile(terms: Mapping[str, float], where: str) -> tuple[_Term, ...]:
    compiled = []
    for source, weight in terms.items():
        if weight <= 0:
            raise RulesError(f"classifier rules: {where}: weight of {source!r} must be positive")
        if source.startswith(_REGEX_PREFIX):
            compiled.append(_Term(weight, pattern=_regex(source, where)))
        elif normalise(source):
            compiled.append(_Term(weight, plain=normalise(source)))
        else:
            raise RulesError(f"classifier rules: {where}: empty term")
    return tuple(compiled)


def _regex(source: str, where: str) -> re.Pattern[str]:
    # NFKC only: lower-casing would turn escapes such as \D into \d.
    body = unicodedata.normalize("NFKC", source[len(_REGEX_PREFIX) :])
    try:
        return re.compile(body)
    except re.error as exc:
        raise RulesError(f"classifier rules: {where}: bad pattern {source!r}: {exc}") from exc


def load_rules(path: str | Path | None = None) -> Rules:
    """Load rules from `path`, or the packaged ones (compiled on first use, then cached)."""
    if path is None:
        return _default_rules()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read ({exc.strerror})") from exc
    return _parse_text(text, str(path))


@lru_cache(maxsize=1)
def _default_rules() -> Rules:
    files = resources.files("services.cases.classifier")
    return _parse_text(files.joinpath("rules.yaml").read_text(encoding="utf-8"), "")


def _parse_text(text: str, name: str) -> Rules:
    try:
        return parse_rules(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise RulesError(f"{name or 'rules.yaml'}: invalid YAML ({exc})") from exc
