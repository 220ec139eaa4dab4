"""The learned half of the classifier: a multinomial naive Bayes over character 1–3-grams,
fitted from the corpus on first use (no downloads, no numpy: a few hundred reports count in
well under a second, and the table of weights stays small).

Naive Bayes rather than logistic regression: it fits in one counting pass (start-up stays fast
in pure Python) and, with the "fits no problem" reports as a class of their own, it gives the
out-of-list mass the blend in `classify.py` needs. Each report counts an n-gram once
(presence, not frequency), which suits short texts where a repeated word is not more evidence.
Deterministic: the same corpus always gives the same table.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from services.cases.classifier.corpus import Example, training_examples
from services.cases.classifier.rules import normalise

NONE = 0  # the class of reports about no problem of the list
MAX_N = 3
# Additive smoothing and the least number of training reports an n-gram must occur in to be a
# feature: once-seen n-grams are mostly names and places, noise that also costs memory.
ALPHA = 0.3
MIN_REPORTS = 2
# Characters that carry no meaning on their own; n-grams are built inside the runs between them.
_SEPARATORS = re.compile(r"[\s\W_\d]+")


def ngrams(text: str) -> set[str]:
    """The character 1–3-grams of a report (after the rules' normalisation), punctuation and
    digits cut out."""
    found: set[str] = set()
    for run in _SEPARATORS.split(normalise(text)):
        for n in range(1, MAX_N + 1):
            found.update(run[i : i + n] for i in range(len(run) - n + 1))
    return found


@dataclass(frozen=True)
class Model:
    """Fitted weights; `scores` gives a log-likelihood per class, `explain` the n-grams behind
    it. Build with `fit` (or `default_model` for the packaged corpus)."""

    version: str
    classes: tuple[int, ...]  # NONE and the problem numbers, ascending
    base: tuple[float, ...]  # per class: log prior; an n-gram unseen in the class adds `unseen`
    unseen: tuple[float, ...]
    # n-gram -> ((class index, how much more it says than an unseen n-gram), ...): sparse, as
    # most n-grams occur in the reports of a few classes only.
    weights: Mapping[str, tuple[tuple[int, float], ...]]
    # n-gram (two characters or more) -> (the class it favours, by how much over the next one)
    favours: Mapping[str, tuple[int, float]]

    def features(self, grams: Iterable[str]) -> list[str]:
        """The n-grams the model knows, sorted (what a correction row records)."""
        return sorted(g for g in set(grams) if g in self.weights)

    def scores(self, grams: Iterable[str]) -> dict[int, float]:
        """Log-likelihood (up to a shared constant) of each class for a set of n-grams."""
        known = [self.weights[g] for g in set(grams) if g in self.weights]
        totals = [b + u * len(known) for b, u in zip(self.base, self.unseen, strict=True)]
        for pairs in known:
            for index, extra in pairs:
                totals[index] += extra
        return dict(zip(self.classes, totals, strict=True))

    def explain(self, grams: Iterable[str], cls: int, limit: int = 4) -> tuple[str, ...]:
        """The n-grams (two characters or more) that favour `cls` most over every other class,
        as evidence a person can read; of overlapping ones the stronger is kept."""
        index = self.classes.index(cls)
        ranked = sorted(
            (-lead, -len(g), g)
            for g in set(grams)
            if (best := self.favours.get(g)) is not None and best[0] == index
            for lead in (best[1],)
        )
        kept: list[str] = []
        for _, _, gram in ranked:
            if not any(gram in k or k in gram for k in kept):
                kept.append(gram)
            if len(kept) == limit:
                break
        return tuple(kept)


def fit(examples: Sequence[Example], version: str = "") -> Model:
    """Count the n-grams per class; a report's main label is its class. Two passes over the
    examples (n-grams cut twice) rather than keeping every report's n-grams: the peak memory
    of the first start is what the service keeps afterwards."""
    seen_in: Counter[str] = Counter()
    for example in examples:
        seen_in.update(_grams_of(example))
    vocab = {g for g, n in seen_in.items() if n >= MIN_REPORTS}
    del seen_in
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    per_class: Counter[int] = Counter()
    for example in examples:
        cls = example.label or NONE
        per_class[cls] += 1
        counts[cls].update(_grams_of(example) & vocab)
    classes = tuple(sorted(per_class))
    size = len(vocab)
    base, unseen = [], []
    for cls in classes:
        total = sum(counts[cls].values())
        base.append(math.log(per_class[cls] / len(examples)))
        unseen.append(math.log(ALPHA / (total + ALPHA * size)))
    weights = {
        g: tuple(
            (i, math.log((counts[cls][g] + ALPHA) / ALPHA))
            for i, cls in enumerate(classes)
            if counts[cls][g]
        )
        for g in sorted(vocab)
    }
    version = version or f"nb-{len(examples)}"
    return Model(version, classes, tuple(base), tuple(unseen), weights, _favours(weights))


def _favours(
    weights: Mapping[str, tuple[tuple[int, float], ...]],
) -> dict[str, tuple[int, float]]:
    favours = {}
    for gram, pairs in weights.items():
        if len(gram) < 2:
            continue
        ranked = sorted(pairs, key=lambda pair: -pair[1])
        lead = ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0.0)
        if lead > 0:
            favours[gram] = (ranked[0][0], lead)
    return favours


def _grams_of(example: Example) -> set[str]:
    return set(example.features) if example.features else ngrams(example.text)


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The model of the packaged corpus, fitted on first use and then kept."""
    return fit(training_examples())
