"""Rank the campaign's problems for a report text with weighted keyword rules.

The rules are data (taxonomy/classifier_rules.yaml): per problem, weighted terms (plain
substrings, or regular expressions prefixed `re:`) and optional negative terms. Chinese text is
matched as substrings, which needs no word segmenter. Pure and deterministic: the only I/O is
reading the packaged rules once, on first use.
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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.taxonomy import Taxonomy, load_taxonomy

_REGEX_PREFIX = "re:"
_WHITESPACE = re.compile(r"\s+")
# How far below a strongly evidenced rival a hinted problem stays (raw points); big enough to
# survive rounding of the confidence.
_HINT_MARGIN = 0.05


class RulesError(ValueError):
    """The classifier rules are malformed; the message names the offending entry."""


class Candidate(BaseModel):
    """One problem the report may be about, with the terms that point to it."""

    model_config = ConfigDict(frozen=True)

    problem: int
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: tuple[str, ...] = ()


class Classification(BaseModel):
    """Ranked candidates; `top` is None (unclassified) when no candidate is confident enough."""

    model_config = ConfigDict(frozen=True)

    taxonomy_version: str
    rules_version: str
    candidates: tuple[Candidate, ...] = ()
    top: int | None = None
    unclassified: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Classification:
        if self.unclassified != (self.top is None):
            raise ValueError("unclassified must be true exactly when top is None")
        return self


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
    files = resources.files("shared.taxonomy")
    return _parse_text(files.joinpath("classifier_rules.yaml").read_text(encoding="utf-8"), "")


def _parse_text(text: str, name: str) -> Rules:
    try:
        return parse_rules(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise RulesError(f"{name or 'classifier_rules.yaml'}: invalid YAML ({exc})") from exc


@dataclass(frozen=True)
class _Score:
    raw: float
    evidence: tuple[str, ...]


def classify(
    text: str,
    hint: int | None = None,
    taxonomy: Taxonomy | None = None,
    rules: Rules | None = None,
) -> Classification:
    """Rank the problems a report is about; unclassified when the best is below the threshold.

    `hint` is the reporter's own problem number: it adds a bounded boost and never lifts a
    problem above another one that has strong evidence.
    """
    taxonomy = taxonomy or load_taxonomy()
    rules = rules or load_rules()
    scores = _score_all(normalise(text), rules, taxonomy)
    if hint is not None and hint in taxonomy:
        scores = _apply_hint(scores, hint, rules)
    candidates = _rank(scores, rules)
    confident = bool(candidates) and candidates[0].confidence >= rules.threshold
    top = candidates[0].problem if confident else None
    return Classification(
        taxonomy_version=taxonomy.version,
        rules_version=rules.version,
        candidates=candidates,
        top=top,
        unclassified=top is None,
    )


def _score_all(body: str, rules: Rules, taxonomy: Taxonomy) -> dict[int, _Score]:
    damping = sum(term.weight for term in rules.global_negative if term.find(body))
    scores = {}
    for number, terms in rules.positive.items():
        if number not in taxonomy:
            continue  # rules written for a fuller list than the one loaded
        weight, evidence = _matches(body, terms)
        penalty = damping + sum(t.weight for t in rules.negative[number] if t.find(body))
        if weight - penalty > 0:
            scores[number] = _Score(weight - penalty, evidence)
    return scores


def _matches(body: str, terms: tuple[_Term, ...]) -> tuple[float, tuple[str, ...]]:
    """Total weight and evidence; a match inside a longer match of the same problem is dropped,
    so a specific phrase and its general word are not counted twice."""
    found = [(hit, term.weight) for term in terms if (hit := term.find(body))]
    found.sort(key=lambda item: (-len(item[0][1]), item[0][0]))
    kept: list[tuple[tuple[int, str], float]] = []
    for hit, weight in found:
        if not any(hit[1] in other[1] for other, _ in kept):
            kept.append((hit, weight))
    kept.sort(key=lambda item: item[0])
    return sum(weight for _, weight in kept), tuple(hit[1] for hit, _ in kept)


def _apply_hint(scores: dict[int, _Score], hint: int, rules: Rules) -> dict[int, _Score]:
    current = scores.get(hint, _Score(0.0, ()))
    rivals = [s.raw for n, s in scores.items() if n != hint]
    boosted = current.raw + rules.hint_boost
    strongest = max(rivals, default=0.0)
    if strongest >= rules.strong_score and current.raw < strongest:
        # Strong evidence elsewhere wins: the hint may close the gap but not overtake it.
        boosted = min(boosted, strongest - _HINT_MARGIN)
    return {**scores, hint: _Score(max(boosted, current.raw), current.evidence)}


def _rank(scores: Mapping[int, _Score], rules: Rules) -> tuple[Candidate, ...]:
    # Ties go to the lower problem number so that equal inputs always rank the same way.
    ordered = sorted(scores.items(), key=lambda item: (-item[1].raw, item[0]))
    return tuple(
        Candidate(problem=number, confidence=_confidence(s.raw, rules), evidence=s.evidence)
        for number, s in ordered[: rules.max_candidates]
    )


def _confidence(raw: float, rules: Rules) -> float:
    """Saturating map of the raw score to 0..1; equals 0.5 when raw == rules.scale."""
    return round(raw / (raw + rules.scale), 3)
