"""The classifier's labelled corpus (`corpus/` beside this module): the training part the model
is fitted on at first use, the frozen held-out part it is measured on, and the officers'
reviewed corrections folded in by `zuofeng classifier retrain` (features only, no text)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

TRAIN = "train.yaml"
RULES_SET = "rules_set.yaml"  # the 134 reports the keyword rules were first written from
TEST = "test.yaml"
CORRECTIONS = "corrections.yaml"


@dataclass(frozen=True)
class Example:
    """One labelled report: its text, or (a folded correction) only its features."""

    id: str
    labels: tuple[int, ...]  # main problem first; () = fits no problem of the list
    text: str = ""
    channel: str = ""
    features: tuple[str, ...] = ()
    split: str = ""  # rules_set.yaml only: the rules were tuned on `tune`, not `holdout`

    @property
    def label(self) -> int | None:
        return self.labels[0] if self.labels else None


def corpus_dir() -> Path:
    """Where the packaged corpus lives (the retrain command writes corrections there)."""
    return Path(str(resources.files("services.cases.classifier").joinpath("corpus")))


def load_part(name: str, folder: Path | None = None) -> list[Example]:
    """The examples of one corpus file, in file order; a missing corrections file is empty."""
    path = (folder or corpus_dir()) / name
    if name == CORRECTIONS and not path.exists():
        return []
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [_example(row) for row in data.get("reports") or []]


def training_examples(corrections: Path | None = None) -> list[Example]:
    """What the model learns from: the training part, the rules' own set and the folded
    corrections (from `corrections`' folder if given); never the held-out part."""
    return load_part(TRAIN) + load_part(RULES_SET) + load_part(CORRECTIONS, corrections)


def _example(row: dict[str, Any]) -> Example:
    return Example(
        id=str(row["id"]),
        labels=tuple(int(n) for n in row.get("labels") or ()),
        text=str(row.get("text") or ""),
        channel=str(row.get("channel") or ""),
        features=tuple(str(f) for f in row.get("features") or ()),
        split=str(row.get("split") or ""),
    )
