"""How well the classifier does on labelled examples: top-1, top-3, per-problem precision and
recall, the confusion matrix and a calibration table; k-fold cross-validation on the training
part. Shared by `zuofeng classifier evaluate`, bench/classifier_eval.py and the unit tests.

Top-1: the main label is `top`. Top-3: the main label is among the first three candidates. A
report labelled "fits no problem" counts as right (for both) only when left unclassified.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from services.cases.classifier.classify import BLEND, Blend, Classification, classify
from services.cases.classifier.corpus import Example
from services.cases.classifier.model import fit

Classifier = Callable[[str], Classification]
BANDS = (0.0, 0.3, 0.5, 0.7, 0.9)


@dataclass
class Scores:
    """Counts over a set of examples; `confusion[(truth, top)]`, None = no problem."""

    total: int = 0
    top1: int = 0
    top3: int = 0
    confusion: Counter[tuple[int | None, int | None]] = field(default_factory=Counter)
    # confidence band -> (reports whose first candidate falls in it, of which right)
    bands: dict[float, list[int]] = field(default_factory=lambda: {b: [0, 0] for b in BANDS})

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    def labels(self) -> list[int | None]:
        seen = {k for pair in self.confusion for k in pair}
        return sorted((k for k in seen if k is not None), key=int) + [None]

    def recall(self, label: int | None) -> float | None:
        row = sum(n for (t, _), n in self.confusion.items() if t == label)
        return self.confusion[(label, label)] / row if row else None

    def precision(self, label: int | None) -> float | None:
        column = sum(n for (_, p), n in self.confusion.items() if p == label)
        return self.confusion[(label, label)] / column if column else None

    def add(self, example: Example, found: Classification) -> None:
        truth = example.label
        ranked = [c.problem for c in found.candidates[:3]]
        one = found.top == truth
        three = found.unclassified if truth is None else truth in ranked
        self.total, self.top1, self.top3 = self.total + 1, self.top1 + one, self.top3 + three
        self.confusion[(truth, found.top)] += 1
        if found.candidates:
            first = found.candidates[0]
            band = max(b for b in BANDS if first.confidence >= b)
            self.bands[band][0] += 1
            self.bands[band][1] += first.problem == truth


def text_of(example: Example) -> str:
    """The text to classify; a folded correction has only its features and terms, which the
    model and the rules read back the same way (the separator cuts n-grams and terms)."""
    return example.text or "|".join(example.features)


def score(examples: Sequence[Example], classifier: Classifier = classify) -> Scores:
    scores = Scores()
    for example in examples:
        scores.add(example, classifier(text_of(example)))
    return scores


def cross_validate(
    examples: Sequence[Example], folds: int, blends: Sequence[Blend] = (BLEND,)
) -> list[Scores]:
    """k-fold cross-validation (example i in fold i mod k, so it is deterministic), one model
    per fold, pooled over the folds; one Scores per blend tried."""
    pooled = [Scores() for _ in blends]
    for k in range(folds):
        model = fit([e for i, e in enumerate(examples) if i % folds != k])
        for example in (e for i, e in enumerate(examples) if i % folds == k):
            for blend, scores in zip(blends, pooled, strict=True):
                scores.add(example, classify(text_of(example), model=model, blend=blend))
    return pooled


def render(title: str, scores: Scores) -> str:
    """A plain-text report: rates, per-problem precision/recall, the confusion matrix (rows:
    the label, columns: the classifier's top; — = unclassified / no problem), calibration."""
    lines = [
        f"== {title}: {scores.total} reports",
        f"top-1 {scores.top1}/{scores.total} = {scores.top1_rate:.1%}   "
        f"top-3 {scores.top3}/{scores.total} = {scores.top3_rate:.1%}",
        "problem  reports  precision  recall",
    ]
    labels = scores.labels()
    for label in labels:
        support = sum(n for (t, _), n in scores.confusion.items() if t == label)
        lines.append(
            f"{_name(label):>7}  {support:7}  {_rate(scores.precision(label)):>9}  "
            f"{_rate(scores.recall(label)):>6}"
        )
    lines.append("confusion (row = label, column = top):")
    lines.append("       " + "".join(f"{_name(p):>4}" for p in labels))
    for truth in labels:
        cells = "".join(f"{scores.confusion[(truth, p)] or '.':>4}" for p in labels)
        lines.append(f"{_name(truth):>7}{cells}")
    lines.append("calibration (first candidate's confidence: reports, right):")
    for band, (count, right) in scores.bands.items():
        lines.append(f"  >= {band:.1f}: {count:4} {_rate(right / count if count else None):>7}")
    return "\n".join(lines)


def _name(label: int | None) -> str:
    return "—" if label is None else str(label)


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
