"""What one batch of drafts does: which reports are new, and which an Idempotency-Key already
answers (the same body: the earlier report; another body: refused)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

from services.intake.refusals import idempotency_conflict
from shared.events import Envelope


@dataclass
class Draft:
    """Everything one accepted report writes, prepared before any database work."""

    report_id: str
    report: dict[str, Any]
    step: dict[str, Any]
    envelope: Envelope
    body_hash: str
    key_hash: str | None = None
    created_at: Any = None
    tracking_code: str = ""
    attachment_ids: tuple[str, ...] = ()


@dataclass
class Stored:
    """The answer to give: a new report, or the earlier one an idempotent replay names."""

    report_id: str
    created: bool


@dataclass
class _Plan:
    fresh: list[Draft] = field(default_factory=list)
    outcomes: dict[int, Stored | Exception] = field(default_factory=dict)


def plan(drafts: list[Draft], earlier: dict[str, tuple[str, str]]) -> _Plan:
    """Which drafts to insert and which are answered by an earlier report (or conflict).

    `earlier` maps key hash -> (body hash, report id) of stored records.
    """
    result, seen = _Plan(), dict(earlier)
    for index, draft in enumerate(drafts):
        known = seen.get(draft.key_hash) if draft.key_hash else None
        if known is None:
            result.fresh.append(draft)
            if draft.key_hash:
                seen[draft.key_hash] = (draft.body_hash, draft.report_id)
        elif hmac.compare_digest(known[0], draft.body_hash):
            result.outcomes[index] = Stored(known[1], created=False)
        else:
            result.outcomes[index] = idempotency_conflict()
    return result
