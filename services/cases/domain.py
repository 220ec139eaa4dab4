"""The case state machine: `decide` what an action means, `apply` what happened. No I/O.

`decide(state, actor, action, payload)` checks the contract's table (409), the actor (403) and the
payload (422) and returns a `Decision`: the event type, its `data` (safe to publish on `case.*`)
and `internal` texts (kept in the case's own history, never published: reasons, measures,
evidence, notes, a proposed exposure text). `apply(state, type, data)` is pure; `rebuild` folds a
history (each entry's data and internal texts merged) back into the same state.

`note` records `case.noted`, a history entry outside the event catalogue: `public=False`, and it
leaves `version` alone so the published `sequence` (= version) has no gaps. `object-transfer`
records `case.transfer_objected`, a type the catalogue gains with this state machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ValidationError

from services.cases import domain_rules as r
from services.cases.domain_rules import (
    ALLOWED,
    SUBSTANTIATED,
    WHO,
    Action,
    Actor,
    CaseState,
    Extension,
    Finding,
    InvalidPayload,
    Organ,
    PermissionDenied,
    Role,
    Status,
    TransitionError,
    guard_failure,
    invalid,
    possible_actions,
)

A, S = Action, Status
Data = dict[str, Any]


@dataclass(frozen=True)
class Rules:
    """The numbers the state machine checks; a deployment sets them from its deadline profile."""

    extension_max_days: int = 30


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Decision:
    """What an action means: an event type, its publishable `data`, its `internal` texts."""

    event_type: str
    data: Data
    internal: Data = field(default_factory=dict)
    public: bool = True

    @property
    def history_data(self) -> Data:
        """What the case's history stores and `apply` reads."""
        return {**self.data, **self.internal}


def authorize(state: CaseState, actor: Actor, action: Action | str) -> Action:
    """Raise TransitionError (409) or PermissionDenied (403) unless `actor` may do it now."""
    action = Action(action)
    if action is not A.REVEAL_IDENTITY:
        if action not in ALLOWED[state.status]:
            raise TransitionError(
                f"cannot {action} a case in status {state.status}", possible_actions(state)
            )
        reason = guard_failure(state, action)
        if reason is not None:
            raise TransitionError(reason, possible_actions(state))
    rule, who = WHO[action]
    if not rule(state, actor):
        raise PermissionDenied(f"{action} may be done only by {who}")
    return action


def allowed_actions(state: CaseState, actor: Actor) -> tuple[Action, ...]:
    """What `actor` may do now (payload aside), in the table's order."""
    candidates = (*possible_actions(state), A.REVEAL_IDENTITY)
    return tuple(a for a in candidates if WHO[a][0](state, actor))


def decide(
    state: CaseState,
    actor: Actor,
    action: Action | str,
    payload: Mapping[str, Any] | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Decision:
    """The event an action produces, or TransitionError / PermissionDenied / InvalidPayload."""
    action = authorize(state, actor, action)
    if action is A.REVEAL_IDENTITY:
        raise ValueError("reveal-identity changes no state: call authorize() and audit it")
    event, model, build = ACTIONS[action]
    try:
        body = model.model_validate(dict(payload or {}))
    except ValidationError as exc:
        raise InvalidPayload(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        ) from None
    data, internal = build(state, actor, body, rules)
    return Decision(event, data, internal, public=event not in PRIVATE)


Built = tuple[Data, Data]
Builder = Callable[[CaseState, Actor, Any, Rules], Built]


def _assign(s: CaseState, a: Actor, body: r.Assign, rules: Rules) -> Built:
    if body.unit == s.handling_unit:
        raise invalid("unit", "the case is already with this unit")
    if body.unit == s.accused_unit:
        raise invalid("unit", "a case never goes to the unit it accuses")
    return {"handling_unit": body.unit, "previous_unit": s.handling_unit}, {}


def _require(s: CaseState, a: Actor, body: r.Rectify, rules: Rules) -> Built:
    unit = body.unit or s.handling_unit
    return {"rectifying_unit": unit, "due": r.due_iso(body.due)}, {"measures": body.measures}


def _ask_extension(s: CaseState, a: Actor, body: r.AskExtension, rules: Rules) -> Built:
    if body.days > rules.extension_max_days:
        raise invalid("days", f"an extension is at most {rules.extension_max_days} days")
    data = {"days": body.days, "requester_role": a.role.value}
    return data, {"reason": body.reason, "requested_by": a.sub}


def _decide_extension(s: CaseState, a: Actor, body: r.DecideExtension, rules: Rules) -> Built:
    asked = s.extension.days if s.extension else 0
    data: Data = {"approved": body.approve, "days": asked if body.approve else 0}
    if body.reason:
        data["public_reason"] = body.reason  # the reporter is told why (Art 34)
    return data, {"decided_by": a.sub}


def _close(s: CaseState, a: Actor, body: r.Close, rules: Rules) -> Built:
    substantiated = s.status is S.CONCLUDED and s.finding in SUBSTANTIATED
    if substantiated and not body.no_rectification_needed:
        raise TransitionError(
            "a substantiated finding needs require-rectification, or close with "
            "no_rectification_needed=true and a reason",
            possible_actions(s),
        )
    if substantiated and not body.reason:
        raise invalid("reason", "say why no rectification is needed")
    data = {"finding": s.finding and s.finding.value, "no_rectification_needed": substantiated}
    return data, body.model_dump(include={"reason"}, exclude_none=True)


def _reclassify(s: CaseState, a: Actor, body: r.Reclassify, rules: Rules) -> Built:
    if body.problem == s.problem:
        raise invalid("problem", "the case already has this problem number")
    return {"problem": body.problem, "previous_problem": s.problem}, {}


def _rectification(s: CaseState, a: Actor, body: BaseModel, rules: Rules) -> Built:
    # Evidence and a rejection's reason stay internal; only the unit is published.
    return {"rectifying_unit": s.rectifying_unit}, body.model_dump(exclude_none=True)


def _internal(name: str) -> Builder:
    """A builder that keeps the payload's `name` text internal and publishes nothing else."""
    return lambda s, a, body, rules: ({}, {name: getattr(body, name)})


# Action -> (event type, payload model, builder). Texts the law says reach the reporter (a
# rejection's reason, a conclusion's summary, an approved exposure) are the only published ones.
ACTIONS: dict[Action, tuple[str, type[BaseModel], Builder]] = {
    A.ACCEPT: ("case.accepted", r.Empty, lambda s, a, b, rules: ({}, {})),
    A.REJECT: ("case.rejected", r.Reason, lambda s, a, b, rules: ({"public_reason": b.reason}, {})),
    A.ASSIGN: ("case.assigned", r.Assign, _assign),
    A.START_INVESTIGATION: ("case.investigation_started", r.Empty, lambda s, a, b, rules: ({}, {})),
    A.CONCLUDE: (
        "case.concluded",
        r.Conclude,
        lambda s, a, b, rules: ({"finding": b.finding.value, "public_summary": b.summary}, {}),
    ),
    A.REQUIRE_RECTIFICATION: ("case.rectification_required", r.Rectify, _require),
    A.SUBMIT_RECTIFICATION: ("case.rectification_submitted", r.Evidence, _rectification),
    A.VERIFY_RECTIFICATION: ("case.rectification_verified", r.Empty, _rectification),
    A.REJECT_RECTIFICATION: ("case.rectification_rejected", r.Reason, _rectification),
    A.TRANSFER: (
        "case.transferred",
        r.Transfer,
        lambda s, a, b, rules: ({"to": b.to.value}, {"reason": b.reason}),
    ),
    A.REQUEST_EXTENSION: ("case.extension_requested", r.AskExtension, _ask_extension),
    A.DECIDE_EXTENSION: ("case.extension_decided", r.DecideExtension, _decide_extension),
    A.PROPOSE_EXPOSURE: (
        "case.exposure_proposed",
        r.Note,
        lambda s, a, b, rules: ({}, {"exposure_text": b.text}),
    ),
    A.APPROVE_EXPOSURE: (
        "case.exposed",
        r.Empty,
        lambda s, a, b, rules: ({"exposure_text": s.exposure_text}, {}),
    ),
    A.ESCALATE: ("case.escalated", r.Reason, _internal("reason")),
    A.CLOSE: ("case.closed", r.Close, _close),
    A.REOPEN: (
        "case.reopened",
        r.Reason,
        lambda s, a, b, rules: ({"on_review_request": a.role is Role.SYSTEM}, {"reason": b.reason}),
    ),
    A.RECLASSIFY: ("case.reclassified", r.Reclassify, _reclassify),
    A.NOTE: ("case.noted", r.Note, _internal("text")),
    A.OBJECT_TRANSFER: (
        "case.transfer_objected",
        r.Reason,
        lambda s, a, b, rules: (
            {"organ": str(s.transfer_to), "restored_status": str(s.status_before_transfer)},
            {"reason": b.reason},
        ),
    ),
}
PRIVATE = frozenset({"case.noted"})


STATUS_AFTER: dict[str, Status] = {
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


def _opened(s: CaseState, d: Mapping[str, Any]) -> Data:
    if s.version:
        raise ValueError("case.opened must be the first event of a case")
    return {
        "case_id": d.get("case_id", ""),
        "county": d.get("county", ""),
        "handling_unit": d["handling_unit"],
        "problem": d.get("problem"),
        "accused_unit": d.get("subject_unit_id"),
    }


def _extension_requested(s: CaseState, d: Mapping[str, Any]) -> Data:
    role = Role(d.get("requester_role", Role.OFFICER))
    return {"extension": Extension(d["days"], d.get("requested_by", ""), role)}


def _extension_decided(s: CaseState, d: Mapping[str, Any]) -> Data:
    assert s.extension is not None, "case.extension_decided without a request"
    return {"extension": replace(s.extension, decided=True, approved=bool(d["approved"]))}


def _reopened(s: CaseState, d: Mapping[str, Any]) -> Data:
    # A reopened case is handled afresh (复查): a new handling period with its own extension.
    text = s.exposure_text if s.exposed else None
    return {"extension": None, "exposure_proposed": False, "exposure_text": text}


Change = Callable[[CaseState, Mapping[str, Any]], Data]
CHANGES: dict[str, Change] = {
    "case.opened": _opened,
    "case.merged": lambda s, d: {"merged_reports": s.merged_reports + 1},
    "case.assigned": lambda s, d: {"handling_unit": d["handling_unit"]},
    "case.concluded": lambda s, d: {"finding": Finding(d["finding"])},
    "case.rectification_required": lambda s, d: {
        "rectifying_unit": d["rectifying_unit"],
        "rectification_due": str(d["due"]),
    },
    "case.transferred": lambda s, d: {
        "transfer_to": Organ(d["to"]),
        "status_before_transfer": s.status,
    },
    "case.transfer_objected": lambda s, d: {
        "status": s.status_before_transfer,
        "transfer_to": None,
        "status_before_transfer": None,
    },
    "case.extension_requested": _extension_requested,
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


def apply(state: CaseState, event_type: str, data: Mapping[str, Any]) -> CaseState:
    """The state after one event; pure. Unknown types only count (tolerant reader)."""
    if not state.version and event_type != "case.opened":
        raise ValueError("a case's history starts with case.opened")
    changes = {"status": STATUS_AFTER[event_type]} if event_type in STATUS_AFTER else {}
    changes.update(CHANGES.get(event_type, lambda s, d: {})(state, data))
    bump = 0 if event_type in PRIVATE else 1
    return replace(state, **changes, version=state.version + bump)


def rebuild(history: Iterable[tuple[str, Mapping[str, Any]]]) -> CaseState:
    """The state a history of (event type, data) leaves; the history alone suffices."""
    state = CaseState()
    for event_type, data in history:
        state = apply(state, event_type, data)
    return state
