"""A case as each caller may see it: all of it, what a receiving organ needs, or only the
rectification part. Never the sealed identity nor the reporter's blind index."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from services.cases.domain.decide import allowed_actions
from services.cases.scope import Relation, actor
from services.cases.store import Loaded
from shared.auth import Principal
from shared.directory import Directory

HIDDEN = {"identity_sealed", "reporter_index", "subject_person_key", "entries"}
# What the public case feed carries anyway: every caller in scope sees it.
PUBLIC_FIELDS = (
    "id", "status", "version", "county", "problem", "problem_confidence", "handling_unit",
    "lead_unit", "rectifying_unit", "finding", "transfer_to", "receiving_unit", "overdue",
    "exposed", "exposure_text", "channel", "received_at", "updated_at",
)  # fmt: skip
# What a receiving organ needs to take the case over: the report and whom it accuses.
RECEIVER_FIELDS = (
    *PUBLIC_FIELDS,
    "content", "accused_unit", "subject_unit_text", "subject_person", "subject_is_head",
)  # fmt: skip
REPORT_FIELDS = ("report_id", "role", "channel", "received_at", "linked_at")
RECTIFICATION = {
    "case.rectification_required",
    "case.rectification_submitted",
    "case.rectification_verified",
    "case.rectification_rejected",
}
RECEIVER_INTERNAL = {"case.transferred"}  # the transfer's reason is for the receiving organ


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def detail(
    directory: Directory,
    caller: Principal,
    case: Loaded,
    relation: Relation,
    reports: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The detail the contract describes, cut to what `relation` allows."""
    row = case.row
    if relation is Relation.FULL:
        body = {k: plain(v) for k, v in row.items() if k not in HIDDEN}
        body["identity_sealed"] = row["identity_sealed"] is not None
        body["reports"] = [{k: plain(r[k]) for k in REPORT_FIELDS} for r in reports]
    else:
        wider = relation in (Relation.RECEIVER, Relation.CO_UNIT)
        names = RECEIVER_FIELDS if wider else PUBLIC_FIELDS
        body = {name: plain(row[name]) for name in names}
    if "accused_unit" in body:  # every accused unit, the first one included
        first = [row["accused_unit"]] if row["accused_unit"] else []
        body["accused_units"] = json.loads(row.get("accused_units") or "null") or first
    body["relation"] = relation.value
    body["deadlines"] = _deadlines(case, relation)
    body["timeline"] = _timeline(case, relation, caller)
    me = actor(directory, caller, case.state.handling_unit)
    body["allowed_actions"] = [str(a) for a in allowed_actions(case.state, me)]
    return body


def _deadlines(case: Loaded, relation: Relation) -> list[dict[str, Any]]:
    wanted = {
        Relation.FULL: None,
        Relation.RECEIVER: {"transfer_objection"},
        Relation.RECTIFIER: {"rectification"},
        Relation.CO_UNIT: None,
    }[relation]
    return [
        {
            "kind": c.kind,
            "due": c.due.isoformat(),
            "state": c.state,
            "provisional": c.provisional,
            "basis": c.basis,
            "warn_at": c.warn_at and c.warn_at.isoformat(),
        }
        for c in sorted(case.clocks.values(), key=lambda c: c.due)
        if wanted is None or c.kind in wanted
    ]


def _timeline(case: Loaded, relation: Relation, caller: Principal) -> list[dict[str, Any]]:
    items = []
    for h in case.history:
        shown = _entry(h, relation, caller)
        if shown is not None:
            items.append(shown)
    return items


def _entry(h: Mapping[str, Any], relation: Relation, caller: Principal) -> dict[str, Any] | None:
    kind = h["event_type"]
    internal = dict(h["internal"] or {})
    if relation is Relation.RECTIFIER:
        if kind not in RECTIFICATION:
            return None
        if kind == "case.rectification_submitted" and h["actor_unit"] != caller.unit:
            internal = {}  # only its own evidence
    elif relation is Relation.RECEIVER:
        if not h["public"]:
            return None
        internal = internal if kind in RECEIVER_INTERNAL else {}
    elif relation is Relation.CO_UNIT:
        if not h["public"]:
            return None
        own_part = kind == "case.part_filed" and h["actor_unit"] == caller.unit
        internal = internal if own_part else {}  # its own part; others' texts stay internal
    entry = {
        "sequence": h["sequence"],
        "version": h["version"],
        "type": kind,
        "at": h["at"].isoformat(),
        "actor_unit": h["actor_unit"],
        "data": h["data"],
        "internal": internal,
    }
    if relation is Relation.FULL:
        entry["actor"] = h["actor_sub"]
    return entry
