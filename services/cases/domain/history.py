"""`apply` what happened: the state after each history entry, and `rebuild`, which folds a
history back into the state (the history alone suffices). Pure.

`case.noted` and the other PRIVATE entries leave `version` alone so the published `sequence`
(= version) has no gaps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from services.cases.domain import loop
from services.cases.domain import state as st
from services.cases.domain import vocabulary as r
from services.cases.domain.vocabulary import PRIVATE

A, S = r.Action, r.Status
Change = Callable[[st.CaseState, Mapping[str, Any]], r.Data]


def _opened(s: st.CaseState, d: Mapping[str, Any]) -> r.Data:
    if s.version:
        raise ValueError("case.opened must be the first event of a case")
    found = {key: d[key] for key in ("case_id", "county", "problem") if key in d}
    every = tuple(d.get("subject_unit_ids") or ())
    accused = {"accused_unit": d.get("subject_unit_id"), "accused_units": every}
    co = {"co_units": tuple(d.get("co_units") or ())}
    return {**found, "handling_unit": d["handling_unit"], **accused, **co}


def _extension_decided(s: st.CaseState, d: Mapping[str, Any]) -> r.Data:
    ext = s.extension
    assert ext is not None, "case.extension_decided without a request"
    return {"extension": replace(ext, decided=True, approved=bool(d["approved"]))}


def _reopened(s: st.CaseState, d: Mapping[str, Any]) -> r.Data:
    # A reopened case is handled afresh (复查): a new handling period with its own extension.
    text = s.exposure_text if s.exposed else None  # a pending proposal lapses
    reviews = s.reviews + (1 if d.get("on_review_request") else 0)
    changes = {"extension": None, "exposure_proposed": False, "exposure_text": text}
    return {**changes, "reviews": reviews, "recheck_pending": False}


# What status each history entry leaves the case in (entries not listed keep it).
STATUS_AFTER: dict[str, r.Status] = {
    "case.opened": S.RECEIVED,
    "case.accepted": S.ACCEPTED,
    "case.rejected": S.REJECTED,
    "case.investigation_started": S.INVESTIGATING,
    "case.concluded": S.CONCLUDED,
    "case.rectification_required": S.RECTIFYING,
    "case.rectification_submitted": S.RECTIFICATION_SUBMITTED,
    "case.rectification_verified": S.RECTIFIED,
    "case.rectification_rejected": S.RECTIFYING,
    "case.transferred": S.TRANSFERRED,
    "case.closed": S.CLOSED,
    "case.reopened": S.INVESTIGATING,
}


CHANGES: dict[str, Change] = {
    "case.opened": _opened,
    "case.merged": lambda s, d: {"merged_reports": s.merged_reports + 1},
    "case.assigned": lambda s, d: {"handling_unit": d["handling_unit"]},
    "case.concluded": lambda s, d: {"finding": r.Finding(d["finding"])},
    "case.rectification_required": lambda s, d: {
        "rectifying_unit": d["rectifying_unit"],
        "rectification_due": str(d["due"]),
    },
    "case.transferred": lambda s, d: {
        "transfer_to": r.Organ(d["to"]),
        "status_before_transfer": s.status,
    },
    "case.transfer_objected": lambda s, d: {
        "status": s.status_before_transfer,
        "transfer_to": None,
        "status_before_transfer": None,
    },
    "case.extension_requested": lambda s, d: {
        "extension": st.Extension(
            d["days"], d.get("requested_by", ""), r.Role(d.get("requester_role", r.Role.OFFICER))
        )
    },
    "case.extension_decided": _extension_decided,
    "case.exposure_proposed": lambda s, d: {
        "exposure_proposed": True,
        "exposure_text": d.get("exposure_text"),
    },
    "case.exposed": lambda s, d: {
        "exposed": True,
        "exposure_proposed": False,
        "exposure_text": d["exposure_text"],
    },
    "case.escalated": lambda s, d: {"escalations": s.escalations + 1},
    "case.reopened": _reopened,
    "case.reclassified": lambda s, d: {"problem": d["problem"]},
    "case.overdue": lambda s, d: {"overdue": True},
    "case.re_review_requested": lambda s, d: {"re_review_unit": d["re_review_unit"]},
    "case.re_reviewed": lambda s, d: {"re_reviewed": True},
    "case.recheck_due": lambda s, d: {"recheck_unit": d["recheck_unit"], "recheck_pending": True},
    "case.rechecked": lambda s, d: {"recheck_pending": False},
    "case.disposed": lambda s, d: {"disposal": r.Disposal(d["way"])},
}
STATUS_AFTER |= loop.STATUS_AFTER
CHANGES |= loop.CHANGES


def apply(state: st.CaseState, event_type: str, data: Mapping[str, Any]) -> st.CaseState:
    """The state after one event; pure. Unknown types only count (tolerant reader)."""
    if not state.version and event_type != "case.opened":
        raise ValueError("a case's history starts with case.opened")
    changes: r.Data = {"status": STATUS_AFTER[event_type]} if event_type in STATUS_AFTER else {}
    changes.update(CHANGES.get(event_type, lambda s, d: {})(state, data))
    bump = 0 if event_type in PRIVATE else 1
    return replace(state, **changes, version=state.version + bump)


def rebuild(history: Iterable[tuple[str, Mapping[str, Any]]]) -> st.CaseState:
    """The state a history of (event type, data) leaves; the history alone suffices."""
    state = st.CaseState()
    for event_type, data in history:
        state = apply(state, event_type, data)
    return state
