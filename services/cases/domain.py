"""The case state machine: `decide` what an action means, `apply` what happened. No I/O.

`decide(state, actor, action, payload)` checks the contract's table (409), the actor (403) and the
payload (422) and returns a `Decision`: the event type, its `data` (safe to publish on `case.*`)
and `internal` texts (kept in the case's own history, never published: reasons, measures,
evidence, notes, a proposed exposure text). `apply(state, type, data)` is pure; `rebuild` folds a
history (each entry's data and internal texts merged) back into the same state. `PAYLOADS` are
the actions' request bodies (the HTTP layer can use them too).

`note` records `case.noted`, a history entry outside the event catalogue: `public=False`, and it
leaves `version` alone so the published `sequence` (= version) has no gaps. `object-transfer`
records `case.transfer_objected`, a type the catalogue gains with this state machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from services.cases import domain_rules as r
from services.cases.domain_errors import DomainError as DomainError  # re-exported
from services.cases.domain_errors import InvalidPayload, PermissionDenied, TransitionError, invalid
from services.cases.domain_payloads import PAYLOADS, due_iso
from services.cases.domain_rules import *  # noqa: F403 - re-exported: the vocabulary

A, S = r.Action, r.Status


def authorize(state: r.CaseState, actor: r.Actor, action: r.Action | str) -> r.Action:
    """Raise PermissionDenied (403) or TransitionError (409) unless `actor` may do it now.

    Order: a role that may never do the action (403), then the case's status and guards (409),
    then the actor's relation to this case, e.g. its unit (403)."""
    action = r.Action(action)
    rule, who = r.WHO[action]
    if actor.role not in r.ROLES[action]:
        raise PermissionDenied(f"{action} may be done only by {who}")
    if action is not A.REVEAL_IDENTITY:  # not a state change: allowed in any status
        if action not in r.ALLOWED[state.status]:
            message = f"cannot {action} a case in status {state.status}"
            raise TransitionError(message, r.possible_actions(state))
        reason = r.guard_failure(state, action)
        if reason is not None:
            raise TransitionError(reason, r.possible_actions(state))
    if not rule(state, actor):
        raise PermissionDenied(f"{action} may be done only by {who}")
    return action


def allowed_actions(state: r.CaseState, actor: r.Actor) -> tuple[r.Action, ...]:
    """What `actor` may do now (payload aside), in the table's order."""
    candidates = (*r.possible_actions(state), A.REVEAL_IDENTITY)
    return tuple(a for a in candidates if r.WHO[a][0](state, actor))


def decide(
    state: r.CaseState,
    actor: r.Actor,
    action: r.Action | str,
    payload: Mapping[str, Any] | None = None,
    rules: r.Rules = r.Rules(),  # noqa: B008 - frozen, so a shared default is safe
) -> r.Decision:
    """The event an action produces, or TransitionError / PermissionDenied / InvalidPayload."""
    action = authorize(state, actor, action)
    if action is A.REVEAL_IDENTITY:
        raise ValueError("reveal-identity changes no state: call authorize() and audit it")
    try:
        body = PAYLOADS[action].model_validate(dict(payload or {}))
    except ValidationError as exc:
        raise InvalidPayload([_error(e) for e in exc.errors(include_url=False)]) from None
    event_type, build = ACTIONS[action]
    data, internal = build(state, actor, body, rules)
    return r.Decision(event_type, data, internal, public=event_type not in PRIVATE)


def _error(error: Mapping[str, Any]) -> dict[str, Any]:
    """A validation error in FastAPI's shape; `ctx` kept (as text) for the localised message."""
    ctx = {key: str(value) for key, value in error.get("ctx", {}).items()}
    return {"loc": ("body", *error["loc"]), "msg": error["msg"], "type": error["type"], "ctx": ctx}


Built = tuple[r.Data, r.Data]
Builder = Callable[[r.CaseState, r.Actor, Any, r.Rules], Built]


def _split(public: Mapping[str, str] | None = None, private: str | None = None) -> Builder:
    """A builder publishing the payload fields `public` maps to event keys; `private` stays in
    the history under its own name."""

    def build(s: r.CaseState, a: r.Actor, body: BaseModel, rules: r.Rules) -> Built:
        fields = body.model_dump(mode="json")
        data = {key: fields[name] for name, key in (public or {}).items()}
        return data, ({private: fields[private]} if private else {})

    return build


def _assign(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    if body.unit == s.handling_unit:
        raise invalid("unit", "案件已由该单位办理 | the case is already with this unit")
    if body.unit in s.accused:
        raise invalid(
            "unit", "案件不得交由被举报单位办理 | a case never goes to the unit it accuses"
        )
    return {"handling_unit": body.unit, "previous_unit": s.handling_unit}, {}


def _require(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    data = {"rectifying_unit": body.unit or s.handling_unit, "due": due_iso(body.due)}
    return data, {"measures": body.measures}


def _rectification(s: r.CaseState, a: r.Actor, body: BaseModel, rules: r.Rules) -> Built:
    # Evidence and a rejection's reason stay internal; only the unit is published.
    return {"rectifying_unit": s.rectifying_unit}, body.model_dump()


def _ask_extension(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    if body.days > rules.extension_max_days:
        most = rules.extension_max_days
        raise invalid("days", f"延期不得超过 {most} 天 | an extension is at most {most} days")
    data = {"days": body.days, "requester_role": a.role.value}
    return data, {"reason": body.reason, "requested_by": a.sub}


def _decide_extension(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    asked = s.extension.days if s.extension else 0
    data: r.Data = {"approved": body.approve, "days": asked if body.approve else 0}
    if body.reason:
        data["public_reason"] = body.reason  # the reporter is told why (Art 34)
    return data, {"decided_by": a.sub}


def _close(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    substantiated = s.status is S.CONCLUDED and s.finding in r.SUBSTANTIATED
    if substantiated and not body.no_rectification_needed:
        message = "a substantiated finding needs require-rectification, or close with "
        message += "no_rectification_needed=true and a reason"
        raise TransitionError(message, r.possible_actions(s))
    if substantiated and not body.reason:
        raise invalid("reason", "请说明无需整改的理由 | say why no rectification is needed")
    data = {"finding": s.finding and s.finding.value, "no_rectification_needed": substantiated}
    return data, body.model_dump(include={"reason"}, exclude_none=True)


def _reopen(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    return {"on_review_request": a.role is r.Role.SYSTEM}, {"reason": body.reason}


def _reclassify(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    if body.problem == s.problem:
        raise invalid("problem", "案件已属于该问题类别 | the case already has this problem number")
    return {"problem": body.problem, "previous_problem": s.problem}, {}


def _propose(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    return {}, {"exposure_text": body.text}  # public only once approved


def _approve(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    return {"exposure_text": s.exposure_text}, {}


def _object(s: r.CaseState, a: r.Actor, body: Any, rules: r.Rules) -> Built:
    data = {"organ": str(s.transfer_to), "restored_status": str(s.status_before_transfer)}
    return data, {"reason": body.reason}


# Action -> (history entry type, builder). Published texts are only those the reporter is told:
# a rejection's reason (Art 23), a conclusion's summary, an extension decision's reason (Art 34),
# an approved exposure text.
ACTIONS: dict[r.Action, tuple[str, Builder]] = {
    A.ACCEPT: ("case.accepted", _split()),
    A.REJECT: ("case.rejected", _split({"reason": "public_reason"})),
    A.ASSIGN: ("case.assigned", _assign),
    A.START_INVESTIGATION: ("case.investigation_started", _split()),
    A.CONCLUDE: ("case.concluded", _split({"finding": "finding", "summary": "public_summary"})),
    A.REQUIRE_RECTIFICATION: ("case.rectification_required", _require),
    A.SUBMIT_RECTIFICATION: ("case.rectification_submitted", _rectification),
    A.VERIFY_RECTIFICATION: ("case.rectification_verified", _rectification),
    A.REJECT_RECTIFICATION: ("case.rectification_rejected", _rectification),
    A.TRANSFER: ("case.transferred", _split({"to": "to"}, "reason")),
    A.REQUEST_EXTENSION: ("case.extension_requested", _ask_extension),
    A.DECIDE_EXTENSION: ("case.extension_decided", _decide_extension),
    A.PROPOSE_EXPOSURE: ("case.exposure_proposed", _propose),
    A.APPROVE_EXPOSURE: ("case.exposed", _approve),
    A.ESCALATE: ("case.escalated", _split({}, "reason")),
    A.CLOSE: ("case.closed", _close),
    A.REOPEN: ("case.reopened", _reopen),
    A.RECLASSIFY: ("case.reclassified", _reclassify),
    A.NOTE: ("case.noted", _split({}, "text")),
    A.OBJECT_TRANSFER: ("case.transfer_objected", _object),
}
# History entries outside the catalogue: never published, and they leave `version` alone.
PRIVATE = frozenset({"case.noted", "case.identity_revealed", "case.review_refused"})
Change = Callable[[r.CaseState, Mapping[str, Any]], r.Data]


def _opened(s: r.CaseState, d: Mapping[str, Any]) -> r.Data:
    if s.version:
        raise ValueError("case.opened must be the first event of a case")
    found = {key: d[key] for key in ("case_id", "county", "problem") if key in d}
    every = tuple(d.get("subject_unit_ids") or ())
    accused = {"accused_unit": d.get("subject_unit_id"), "accused_units": every}
    return {**found, "handling_unit": d["handling_unit"], **accused}


def _extension_decided(s: r.CaseState, d: Mapping[str, Any]) -> r.Data:
    ext = s.extension
    assert ext is not None, "case.extension_decided without a request"
    return {"extension": replace(ext, decided=True, approved=bool(d["approved"]))}


def _reopened(s: r.CaseState, d: Mapping[str, Any]) -> r.Data:
    # A reopened case is handled afresh (复查): a new handling period with its own extension.
    text = s.exposure_text if s.exposed else None  # a pending proposal lapses
    return {"extension": None, "exposure_proposed": False, "exposure_text": text}


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
        "extension": r.Extension(
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
}


def apply(state: r.CaseState, event_type: str, data: Mapping[str, Any]) -> r.CaseState:
    """The state after one event; pure. Unknown types only count (tolerant reader)."""
    if not state.version and event_type != "case.opened":
        raise ValueError("a case's history starts with case.opened")
    changes: r.Data = {"status": STATUS_AFTER[event_type]} if event_type in STATUS_AFTER else {}
    changes.update(CHANGES.get(event_type, lambda s, d: {})(state, data))
    bump = 0 if event_type in PRIVATE else 1
    return replace(state, **changes, version=state.version + bump)


def rebuild(history: Iterable[tuple[str, Mapping[str, Any]]]) -> r.CaseState:
    """The state a history of (event type, data) leaves; the history alone suffices."""
    state = r.CaseState()
    for event_type, data in history:
        state = apply(state, event_type, data)
    return state
