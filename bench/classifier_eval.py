"""Accuracy of the cases classifier (services/cases/classifier) on the labelled reports
(tests/data/labelled_reports.yaml).

    .venv/bin/python bench/classifier_eval.py              # top-1/top-3 on both halves
    .venv/bin/python bench/classifier_eval.py --failures   # misses on the tune half only

Top-1: the primary label equals `top`. Top-3: the primary label is among the first three
candidates. A report labelled "fits no problem" counts as correct (for both) only when the
classifier leaves it unclassified. Failures are only ever shown for the tune half, so the rules
are not tuned on the holdout half.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.cases.classifier.classify import Classification, classify

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled_reports.yaml"


@dataclass(frozen=True)
class Score:
    """Hits out of `total` for one split."""

    total: int
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def load_reports(path: Path = LABELLED) -> list[dict[str, Any]]:
    """The labelled reports, in file order."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["reports"])


def hits(report: Mapping[str, Any], result: Classification) -> tuple[bool, bool]:
    """(top-1 correct, top-3 correct) for one labelled report."""
    labels = report["labels"]
    if not labels:
        return result.unclassified, result.unclassified
    ranked = [c.problem for c in result.candidates[:3]]
    return result.top == labels[0], labels[0] in ranked


def evaluate(reports: Iterable[Mapping[str, Any]], split: str) -> Score:
    """Score the classifier on the reports of one split."""
    total = top1 = top3 = 0
    for report in reports:
        if report["split"] != split:
            continue
        one, three = hits(report, classify(report["text"]))
        total, top1, top3 = total + 1, top1 + one, top3 + three
    return Score(total, top1, top3)


def _print_failures(reports: Iterable[Mapping[str, Any]]) -> None:
    for report in reports:
        if report["split"] != "tune":
            continue
        result = classify(report["text"])
        one, three = hits(report, result)
        if not one:
            ranked = [(c.problem, c.confidence, list(c.evidence)) for c in result.candidates[:3]]
            print(f"{report['id']} labels={report['labels']} top={result.top} top3={three}")
            print(f"    {report['text']}\n    {ranked}")


def main() -> None:
    """Print top-1/top-3 per split (and tune-half failures with --failures)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list tune-half misses")
    args = parser.parse_args()
    reports = load_reports()
    if args.failures:
        _print_failures(reports)
    for split in ("tune", "holdout"):
        s = evaluate(reports, split)
        print(
            f"{split:8} n={s.total:3}  top-1 {s.top1}/{s.total} = {s.top1_rate:.1%}"
            f"  top-3 {s.top3}/{s.total} = {s.top3_rate:.1%}"
        )


if __name__ == "__main__":
    main()
