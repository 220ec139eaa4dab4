"""`decide` what an action means: the contract's table (409), the actor (403) and the payload
(422), then the event type, its `data` (safe to publish on `case.*`) and `internal` texts (kept
in the case's own history, never published: reasons, measures, evidence, notes, a proposed
exposure text). No I/O.

`note` records `case.noted`, a history entry outside the event catalogue. `object-transfer`
records `case.transfer_objected`, a type the catalogue gains with this state machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from services.cases.domain import state as st
from services.cases.domain import vocabulary as r
from services.cases.domain.builders import ACTIONS
from services.cases.domain.payloads import PAYLOADS
from services.cases.domain.refusals import denied, invalid_payload, not_allowed
from services.cases.domain.table import ALLOWED, guard_failure, possible_actions
from services.cases.domain.vocabulary import PRIVATE
from services.cases.domain.who import ROLES, WHO

A = r.Action


def authorize(state: st.CaseState, actor: st.Actor, action: r.Action | str) -> r.Action:
    """Raise a Refusal, 403 or 409, unless `actor` may do it now.

    Order: a role that may never do the action (403), then the case's status and guards (409),
    then the actor's relation to this case, e.g. its unit (403)."""
    action = r.Action(action)
    rule, who = WHO[action]
    if actor.role not in ROLES[action]:
        raise denied(f"{action} may be done only by {who}")
    if action is not A.REVEAL_IDENTITY:  # not a state change: allowed in any status
        if action not in ALLOWED[state.status]:
            message = f"cannot {action} a case in status {state.status}"
            raise not_allowed(message, possible_actions(state))
        reason = guard_failure(state, action)
        if reason is not None:
            raise not_allowed(reason, possible_actions(state))
    if not rule(state, actor):
        raise denied(f"{action} may be done only by {who}")
    return action


def allowed_actions(state: st.CaseState, actor: st.Actor) -> tuple[r.Action, ...]:
    """What `actor` may do now (payload aside), in the table's order."""
    candidates = (*possible_actions(state), A.REVEAL_IDENTITY)
    return tuple(a for a in candidates if WHO[a][0](state, actor))


def decide(
    state: st.CaseState,
    actor: st.Actor,
    action: r.Action | str,
    payload: Mapping[str, Any] | None = None,
    rules: st.Rules = st.Rules(),  # noqa: B008 - frozen, so a shared default is safe
) -> st.Decision:
    """The event an action produces, or a Refusal (409 / 403 / 422)."""
    action = authorize(state, actor, action)
    if action is A.REVEAL_IDENTITY:
        raise ValueError("reveal-identity changes no state: call authorize() and audit it")
    try:
        body = PAYLOADS[action].model_validate(dict(payload or {}))
    except ValidationError as exc:
        raise invalid_payload([_error(e) for e in exc.errors(include_url=False)]) from None
    event_type, build = ACTIONS[action]
    data, internal = build(state, actor, body, rules)
    return st.Decision(event_type, data, internal, public=event_type not in PRIVATE)


def _error(error: Mapping[str, Any]) -> dict[str, Any]:
    """A validation error in FastAPI's shape; `ctx` kept (as text) for the localised message."""
    ctx = {key: str(value) for key, value in error.get("ctx", {}).items()}
    return {"loc": ("body", *error["loc"]), "msg": error["msg"], "type": error["type"], "ctx": ctx}
