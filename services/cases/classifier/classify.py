"""Rank the campaign's problems for a report text: weighted keyword rules (`rules.py`) blended
with a naive Bayes model over character n-grams learned from the corpus (`model.py`).

The rules carry what people wrote down about each problem (readable evidence, the reporter's
hint); the model carries what the labelled reports say, including what a report about none of
the problems looks like. Chinese text is matched as substrings and n-grams, which needs no word
segmenter. Pure and deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.cases.classifier.model import NONE, Model, default_model, ngrams
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
    model_version: str = ""  # "" when the rules alone decided (`classify_by_rules`)
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


@dataclass(frozen=True)
class Blend:
    """How the rules and the model combine. Chosen by 5-fold cross-validation on the training
    part of the corpus only (`zuofeng classifier evaluate --cv 5 --sweep`), never on the
    held-out part: the best top-1 weight and temperature, then the highest threshold that
    keeps cross-validated top-1 at 90% (0.25: 93% of out-of-list reports left unclassified,
    92% of the classified ones right; 0.2 would gain 1 point of top-1 for 3 of them)."""

    model_weight: float = 0.5  # share of the model's posterior; the rest is the rules'
    temperature: float = 5.0  # naive Bayes is overconfident: flatten its log-likelihoods
    threshold: float = 0.25  # below it: unclassified, to the city office's triage


BLEND = Blend()


def classify(
    text: str,
    hint: int | None = None,
    taxonomy: Taxonomy | None = None,
    rules: Rules | None = None,
    model: Model | None = None,
    blend: Blend = BLEND,
) -> Classification:
    """Rank the problems a report is about; unclassified when the best is below the threshold
    or the report looks like none of them.

    Each candidate's confidence is `model_weight` x the model's probability of the problem plus
    the rest x the rules' confidence. The model's "fits no problem" class takes its share of
    probability away from every problem, so out-of-list reports fall below the threshold.
    `hint` (the reporter's own problem number) boosts the rules' score as in
    `classify_by_rules`.
    """
    taxonomy = taxonomy or load_taxonomy()
    rules = rules or load_rules()
    model = model or default_model()
    body = normalise(text)
    scores = _score_all(body, rules, taxonomy)
    if hint is not None and hint in taxonomy:
        scores = _apply_hint(scores, hint, rules)
    grams = ngrams(text)
    posterior = _posterior(model.scores(grams), blend.temperature)
    blended = {}
    for number in taxonomy.numbers():
        rule = scores.get(number)
        from_rules = rule.raw / (rule.raw + rules.scale) if rule else 0.0
        value = blend.model_weight * posterior.get(number, 0.0)
        value += (1 - blend.model_weight) * from_rules
        if round(value, 3) > 0:
            blended[number] = value
    # Ties go to the lower problem number so that equal inputs always rank the same way.
    ordered = sorted(blended.items(), key=lambda item: (-item[1], item[0]))[: rules.max_candidates]
    candidates = tuple(
        Candidate(
            problem=number,
            confidence=round(value, 3),
            evidence=_evidence(scores.get(number), model, grams, body, number) if rank < 3 else (),
        )
        for rank, (number, value) in enumerate(ordered)
    )
    confident = bool(candidates) and candidates[0].confidence >= blend.threshold
    top = candidates[0].problem if confident else None
    return Classification(
        taxonomy_version=taxonomy.version,
        rules_version=rules.version,
        model_version=model.version,
        candidates=candidates,
        top=top,
        unclassified=top is None,
    )


def _posterior(loglik: Mapping[int, float], temperature: float) -> dict[int, float]:
    """Softmax over the model's classes (NONE included, then dropped: its mass is simply not
    given to any problem)."""
    peak = max(loglik.values())
    weights = {c: math.exp((v - peak) / temperature) for c, v in loglik.items()}
    total = sum(weights.values())
    return {c: w / total for c, w in weights.items() if c != NONE}


def _evidence(
    rule: _Score | None, model: Model, grams: set[str], body: str, number: int
) -> tuple[str, ...]:
    """The rules' matched terms first, then the stretches of the text made of the n-grams
    that most favour the problem in the model (overlapping ones joined: 村主 + 主任 = 村主任),
    those already inside a term left out."""
    terms = rule.evidence if rule else ()
    if number not in model.classes:
        return terms
    taken = [(at, at + len(t)) for t in terms if (at := body.find(t)) >= 0]
    spans: list[list[int]] = []
    for gram in model.explain(grams, number):
        start = body.find(gram)
        end = start + len(gram)
        if start >= 0 and not any(start < b and a < end for a, b in taken):
            spans.append([start, end])
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    learned = [body[a:b] for a, b in merged]
    return terms + tuple(learned[: max(1, 4 - len(terms))])


def classify_by_rules(
    text: str,
    hint: int | None = None,
    taxonomy: Taxonomy | None = None,
    rules: Rules | None = None,
) -> Classification:
    """The rules alone: rank the problems, unclassified when the best is below the threshold.

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
    numbers = set(taxonomy.numbers())
    for number, terms in rules.positive.items():
        if number not in numbers:
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
