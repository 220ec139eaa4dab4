"""The classifier's three best candidates for a report, with their evidence and confidence, as
the case page and the triage queue show them beside the problem the case has now. Computed
again from the stored text (the classifier is deterministic); only for those who may read it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from services.cases.classifier.classify import classify
from services.cases.context import Context
from services.cases.models import cases
from shared.auth import Principal


def top_three(content: str | None) -> list[dict[str, Any]]:
    if not content:
        return []
    found = classify(content)
    return [
        {"problem": c.problem, "confidence": c.confidence, "evidence": list(c.evidence)}
        for c in found.candidates[:3]
    ]


async def add_to_rows(ctx: Context, caller: Principal, rows: Sequence[dict[str, Any]]) -> None:
    """Candidates for the listed cases the caller's unit handles (it reads their reports)."""
    own = [row["id"] for row in rows if row.get("handling_unit") == caller.unit]
    if not own:
        return
    async with ctx.db.sessions() as session:
        found = await session.execute(
            select(cases.c.id, cases.c.content).where(cases.c.id.in_(own))
        )
        texts: Mapping[str, str] = {str(i): str(c) for i, c in found.all()}
    for row in rows:
        row["candidates"] = top_three(texts.get(row["id"]))
