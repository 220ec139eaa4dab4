"""Cases' HTTP API (actions): `POST /api/v1/cases/{id}/{action}`, one route per contract action
with its own body model, answering 200 with the new detail and `ETag`; and reveal-identity.

(No `from __future__ import annotations` here: FastAPI reads the body models from the
annotations of the endpoints built in a loop, so they must be real objects.)
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Response
from pydantic import BaseModel

from services.cases import actions, identity, store
from services.cases.context import Context, Ctx
from services.cases.domain.payloads import PAYLOADS
from services.cases.domain.refusals import denied, no_such_case
from services.cases.domain.vocabulary import Action
from services.cases.domain.who import ROLES, WHO
from services.cases.routes.cases import case_detail_for
from services.cases.scope import relation
from shared.auth import Caller, Principal

router = APIRouter(prefix="/api/v1", tags=["case actions"])
RevealIdentity: Any = PAYLOADS[Action.REVEAL_IDENTITY]
IfMatch = Annotated[str | None, Header(description="the version last read (ETag)")]


def _gate(action: Action) -> Any:
    """Scope (404) and role (403) before the body is read: a caller who may not act learns
    nothing from the validation of what they sent."""
    allowed = sorted(role.value for role in ROLES[action] if role.value != "system")

    async def gate(case_id: str, ctx: Ctx, caller: Caller) -> None:
        async with ctx.db.sessions() as session:
            case = await store.load(session, case_id)
        if case is None or relation(ctx.directory, caller, case.row) is None:
            raise no_such_case()
        if caller.role not in allowed:
            # The domain's own refusal, so the answer reads like every other 403 (zh/en).
            raise denied(f"{action} may be done only by {WHO[action][1]}")

    return Depends(gate)


def _endpoint(action: Action, model: type[BaseModel]) -> Any:
    required = any(field.is_required() for field in model.model_fields.values())

    async def act(
        case_id: str,
        ctx: Context,
        response: Response,
        caller: Principal,
        body: BaseModel | None,
        if_match: str | None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = body.model_dump(mode="json") if body is not None else {}
        await actions.perform(ctx, caller, case_id, action, payload, if_match)
        detail = await case_detail_for(ctx, caller, case_id)
        response.headers["ETag"] = str(detail["version"])
        return detail

    if required:

        async def endpoint(
            case_id: str,
            ctx: Ctx,
            response: Response,
            caller: Caller,
            body: Annotated[model, Body()],  # type: ignore[valid-type]
            if_match: IfMatch = None,
        ) -> dict[str, Any]:
            return await act(case_id, ctx, response, caller, body, if_match)

    else:

        async def endpoint(  # type: ignore[misc]
            case_id: str,
            ctx: Ctx,
            response: Response,
            caller: Caller,
            body: Annotated[model | None, Body()] = None,  # type: ignore[valid-type]
            if_match: IfMatch = None,
        ) -> dict[str, Any]:
            return await act(case_id, ctx, response, caller, body, if_match)

    endpoint.__name__ = f"case_{action.value.replace('-', '_')}"
    endpoint.__doc__ = f"`{action.value}` (the contract's transition table and roles apply)."
    return endpoint


for _action in Action:
    if _action is not Action.REVEAL_IDENTITY:
        router.post(f"/cases/{{case_id}}/{_action.value}", dependencies=[_gate(_action)])(
            _endpoint(_action, PAYLOADS[_action])
        )


@router.post("/cases/{case_id}/reveal-identity", dependencies=[_gate(Action.REVEAL_IDENTITY)])
async def reveal_identity(
    case_id: str,
    ctx: Ctx,
    response: Response,
    caller: Caller,
    body: Annotated[RevealIdentity, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    """The reporter's sealed identity opened for an inspector of the receiving organ, with a
    reason; shown in this answer only (never stored in clear) and recorded in the history."""
    answer = await identity.reveal(ctx, caller, case_id, body.reason)
    response.headers["Cache-Control"] = "no-store"
    return answer
