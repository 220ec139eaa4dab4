"""Rank the campaign's problems for a report text with weighted keyword rules (`rules.py`).

Chinese text is matched as substrings, which needs no word segmenter. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.cases.classifier.rules import Rules, _Term, load_rules, normalise
from shared.taxonomy import Taxonomy, load_taxonomy

# How far below a strongly evidenced rival a hinted problem stays (raw points); big enough to
# survive rounding of the confidence.
_HINT_MARGIN = 0.05


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
