"""Cases' HTTP API (actions): `POST /api/v1/cases/{id}/{action}`, one route per contract action
with its own body model, answering 200 with the new detail and `ETag`; and reveal-identity.

(No `from __future__ import annotations` here: FastAPI reads the body models from the
annotations of the endpoints built in a loop, so they must be real objects.)
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.cases import actions, identity, store
from services.cases.api import case_detail_for, service_of
from services.cases.domain import PAYLOADS, Action
from services.cases.domain_errors import (
    DomainError,
    InvalidPayload,
    PermissionDenied,
    TransitionError,
)
from services.cases.domain_rules import ROLES, WHO
from services.cases.scope import relation
from shared.auth import Caller, Principal
from shared.errors import wants_english

router = APIRouter(prefix="/api/v1", tags=["case actions"])
RevealIdentity: Any = PAYLOADS[Action.REVEAL_IDENTITY]
IfMatch = Annotated[str | None, Header(description="the version last read (ETag)")]


def _gate(action: Action) -> Any:
    """Scope (404) and role (403) before the body is read: a caller who may not act learns
    nothing from the validation of what they sent."""
    allowed = sorted(role.value for role in ROLES[action] if role.value != "system")

    async def gate(case_id: str, request: Request, caller: Caller) -> None:
        service = service_of(request)
        async with service.db.sessions() as session:
            case = await store.load(session, case_id)
        if case is None or relation(service.directory, caller, case.row) is None:
            raise HTTPException(404, "no such case")
        if caller.role not in allowed:
            # The domain's own refusal, so the answer reads like every other 403 (zh/en).
            raise PermissionDenied(f"{action} may be done only by {WHO[action][1]}")

    return Depends(gate)


def _endpoint(action: Action, model: type[BaseModel]) -> Any:
    required = any(field.is_required() for field in model.model_fields.values())

    async def act(
        case_id: str,
        request: Request,
        response: Response,
        caller: Principal,
        body: BaseModel | None,
        if_match: str | None,
    ) -> dict[str, Any]:
        service = service_of(request)
        payload: dict[str, Any] = body.model_dump(mode="json") if body is not None else {}
        try:
            await actions.perform(service, caller, case_id, action, payload, if_match)
        except actions.NotFound:
            raise HTTPException(404, "no such case") from None
        except InvalidPayload as exc:  # answered like FastAPI's own 422, localised
            raise RequestValidationError(exc.errors) from None
        detail = await case_detail_for(service, caller, case_id)
        response.headers["ETag"] = str(detail["version"])
        return detail

    if required:

        async def endpoint(
            case_id: str,
            request: Request,
            response: Response,
            caller: Caller,
            body: Annotated[model, Body()],  # type: ignore[valid-type]
            if_match: IfMatch = None,
        ) -> dict[str, Any]:
            return await act(case_id, request, response, caller, body, if_match)

    else:

        async def endpoint(  # type: ignore[misc]
            case_id: str,
            request: Request,
            response: Response,
            caller: Caller,
            body: Annotated[model | None, Body()] = None,  # type: ignore[valid-type]
            if_match: IfMatch = None,
        ) -> dict[str, Any]:
            return await act(case_id, request, response, caller, body, if_match)

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
    request: Request,
    response: Response,
    caller: Caller,
    body: Annotated[RevealIdentity, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    """The reporter's sealed identity opened for an inspector of the receiving organ, with a
    reason; shown in this answer only (never stored in clear) and recorded in the history."""
    try:
        answer = await identity.reveal(service_of(request), caller, case_id, body.reason)
    except actions.NotFound:
        raise HTTPException(404, "no such case") from None
    response.headers["Cache-Control"] = "no-store"
    return answer


ZH = {
    TransitionError: "案件当前状态不允许此操作",
    DomainError: "无权执行此操作",
}


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    """403 / 409 with a message naming who may act or what is allowed."""
    assert isinstance(exc, DomainError)
    message = str(exc)
    if " | " in message:  # our own "zh | en" texts
        zh, en = message.split(" | ", 1)
        if isinstance(exc, TransitionError):
            zh += f"；现在允许：{', '.join(exc.allowed) or '无'}"
    else:
        prefix = ZH[TransitionError if isinstance(exc, TransitionError) else DomainError]
        zh, en = f"{prefix}：{message}", message
    detail = en if wants_english(request) else zh
    return JSONResponse({"detail": detail}, status_code=exc.status_code)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.include_router(router)
