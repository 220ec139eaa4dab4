"""One case event applied to the reports of a batch: the same rules whatever else the batch
holds (linking, merging, the status moving on only with a newer case version, the steps)."""

from __future__ import annotations

from typing import Any

from services.intake.public_status.case_values import case_values
from services.intake.public_status.rows import Reports
from services.intake.status_steps import step_texts
from shared.events import Envelope
from shared.events.cases import CaseEvent, CaseMerged


def linked_report(envelope: Envelope, payload: CaseEvent) -> str | None:
    """The report this event links to its case: an opening's own, or the one merged in."""
    if isinstance(payload, CaseMerged):
        return payload.merged_report_id
    if envelope.type == "case.opened" and payload.report_id:
        return payload.report_id
    return None


def apply(state: Reports, envelope: Envelope, payload: CaseEvent) -> None:
    """One event on the rows: the same rules whatever else the batch holds."""
    version, merged = payload.version, None
    linking = linked_report(envelope, payload)
    if linking:
        state.set(linking, case_id=payload.case_id)
    if isinstance(payload, CaseMerged):
        merged = payload.merged_report_id
        if merged in state.rows and state.rows[merged]["status_version"] < version:
            state.set(merged, status="merged", status_version=version)
    linked = state.of_case(payload.case_id)
    _add_steps(state, envelope, payload, linked, merged)
    for row in linked:
        # Out-of-order safe: only a newer case version moves the status.
        if row["status"] != "merged" and row["status_version"] < version:
            state.set(row["id"], status=payload.status, status_version=version)
        if row["case_version"] < version:  # an older event arriving late changes nothing
            state.set(row["id"], **case_values(envelope, payload))


def _add_steps(
    state: Reports,
    envelope: Envelope,
    payload: CaseEvent,
    linked: list[dict[str, Any]],
    merged: str | None,
) -> None:
    texts = step_texts(envelope.type, payload)
    if texts is None:
        return
    for row in linked:
        if merged not in (None, row["id"]):
            continue  # another reporter's report merging in is not news to this one
        state.steps.append(
            {
                "report_id": row["id"],
                "event_id": f"{envelope.event_id}:{row['id']}",
                "at": envelope.occurred_at,
                "status": "merged" if merged else payload.status,
                "text_zh": texts[0],
                "text_en": texts[1],
            }
        )
