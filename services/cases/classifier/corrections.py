"""Officers' reclassifications as the classifier's training data (cases_classifier_corrections).

A row keeps what the classifier reads of the report, not the report: the n-grams the model
already knows (so a name or a number seen nowhere in the corpus is never kept) and the rules'
matched terms, with the old and the new problem. Never the text, never the reporter.
`zuofeng classifier retrain` folds the rows an operator accepts into the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.classifier.classify import classify
from services.cases.classifier.corpus import Example
from services.cases.classifier.model import default_model, ngrams
from services.cases.models import metadata
from shared.db import UtcDateTime

classifier_corrections = Table(
    "classifier_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False, index=True),  # the latest one per case counts
    Column("old_problem", Integer),  # None: the case was unclassified (triage)
    Column("new_problem", Integer, nullable=False),
    Column("features", JSON, nullable=False),  # n-grams known to the model, sorted
    Column("terms", JSON, nullable=False),  # the rules' matched terms, in text order
    Column("taxonomy_version", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("by_unit", String(64)),
    Column("at", UtcDateTime(), nullable=False),
    Column("folded_at", UtcDateTime()),  # when `retrain` put it into the corpus
)


def features_of(text: str) -> tuple[list[str], list[str], str, str]:
    """(features, terms, taxonomy version, model version) of a report's text."""
    found = classify(text)
    terms: list[str] = []
    for candidate in found.candidates:
        terms += [t for t in candidate.evidence if t not in terms]
    model = default_model()
    known = model.features(ngrams(text))
    return known, [t for t in terms if t not in known], found.taxonomy_version, model.version


async def record(
    session: AsyncSession,
    case_id: str,
    text: str,
    old: int | None,
    new: int,
    unit: str | None,
    at: datetime,
) -> None:
    """One correction, in the reclassifying action's transaction."""
    features, terms, taxonomy_version, model_version = features_of(text)
    await session.execute(
        insert(classifier_corrections).values(
            case_id=case_id,
            old_problem=old,
            new_problem=new,
            features=features,
            terms=terms,
            taxonomy_version=taxonomy_version,
            model_version=model_version,
            by_unit=unit,
            at=at,
        )
    )


async def latest(session: AsyncSession, unfolded_only: bool = False) -> list[dict[str, Any]]:
    """The latest correction of each case (a case reclassified twice counts once), oldest
    first."""
    query = select(classifier_corrections).order_by(classifier_corrections.c.id)
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    last = {row["case_id"]: row for row in rows}
    kept = sorted(last.values(), key=lambda row: row["id"])
    return [row for row in kept if row["folded_at"] is None] if unfolded_only else kept


async def mark_folded(session: AsyncSession, ids: Iterable[int], at: datetime) -> None:
    table = classifier_corrections
    await session.execute(update(table).where(table.c.id.in_(list(ids))).values(folded_at=at))


def as_example(row: dict[str, Any]) -> Example:
    """A correction as a labelled example (features only)."""
    return Example(
        id=f"c{row['id']}",
        labels=(int(row["new_problem"]),),
        features=tuple(row["features"]) + tuple(row["terms"]),
    )


def as_corpus_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for corpus/corrections.yaml."""
    return [
        {
            "id": f"c{row['id']}",
            "labels": [int(row["new_problem"])],
            "was": row["old_problem"],
            "features": list(row["features"]) + list(row["terms"]),
        }
        for row in rows
    ]
