"""`/signin/oidc` sends the browser to the identity provider; `/signin/oidc/callback` takes
it back, checks state (against a signed cookie set at the start), exchanges the code with the
PKCE verifier, checks the id_token (oidc.py) and opens the session. Failures show the sign-in
page with the reason, and are audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

import jwt
from fastapi import APIRouter, Request, Response

from services.cases.context import Ctx
from services.cases.signin import audit, oidc
from services.cases.signin.cookies import PATH
from services.cases.signin.pages import go, is_english, secure
from services.cases.signin.routes import _form_page, open_session
from shared.auth import Principal
from shared.errors import Refusal
from shared.websession import sessions_of

router = APIRouter(include_in_schema=False)
FLOW = "zuofeng_signin_oidc"
AUDIENCE = "zuofeng-signin-oidc"
FLOW_FOR = timedelta(minutes=10)
CALLBACK = "/signin/oidc/callback"


def _redirect_uri(request: Request, ctx: Ctx) -> str:
    """Where the provider sends the browser back: cases' page origin, else this request's."""
    origin = ctx.settings.page_origins.get("cases") or str(request.base_url).rstrip("/")
    return origin + CALLBACK


@router.get("/signin/oidc")
async def oidc_start(request: Request, ctx: Ctx) -> Response:
    english, nxt = is_english(request), request.query_params.get("next", "")
    if not ctx.settings.oidc_issuer:
        return go("/signin" + ("?lang=en" if english else ""))
    try:
        begun = await oidc.start(ctx, _redirect_uri(request, ctx))
    except Exception:  # noqa: BLE001 - the provider is down: the password form still works
        return _form_page(request, ctx, english, nxt, error=oidc.refused("provider unreachable"))
    now = sessions_of(request).clock()
    flow = {"state": begun.state, "nonce": begun.nonce, "verifier": begun.verifier,
            "next": nxt, "en": english, "aud": AUDIENCE,
            "exp": int((now + FLOW_FOR).timestamp())}  # fmt: skip
    response = go(begun.url)
    response.set_cookie(FLOW, jwt.encode(flow, sessions_of(request).secret, algorithm="HS256"),
                        max_age=int(FLOW_FOR.total_seconds()), httponly=True, samesite="lax",
                        secure=secure(request), path=PATH)  # fmt: skip
    return response


@router.get(CALLBACK)
async def oidc_callback(request: Request, ctx: Ctx) -> Response:
    params = request.query_params
    try:
        flow = jwt.decode(request.cookies.get(FLOW, ""), sessions_of(request).secret,
                          algorithms=["HS256"], audience=AUDIENCE)  # fmt: skip
    except jwt.PyJWTError:
        return go("/signin")  # no sign-in of ours under way (or it took too long)
    english, nxt = bool(flow.get("en")), str(flow.get("next", ""))
    try:
        if not secrets.compare_digest(str(flow["state"]), params.get("state", "")):
            raise oidc.refused("state mismatch")
        if "code" not in params:
            raise oidc.refused(params.get("error", "no code"))
        person = await oidc.finish(ctx, _redirect_uri(request, ctx), params["code"],
                                   str(flow["verifier"]), str(flow["nonce"]))  # fmt: skip
    except Refusal as refusal:
        async with ctx.db.sessions() as db, db.begin():
            await audit.signin(db, "", "failed", "oidc", ctx.now(), reason=refusal.en[:200])
        page = _form_page(request, ctx, english, nxt, error=refusal)
        page.delete_cookie(FLOW, path=PATH)
        return page
    async with ctx.db.sessions() as db, db.begin():
        await audit.signin(db, person.login, "signed_in", "oidc", ctx.now(), unit=person.unit,
                           role=person.role)  # fmt: skip
    principal = Principal(sub=person.sub, unit=person.unit, role=person.role)  # type: ignore[arg-type]
    response = await open_session(request, ctx, principal, person.name, "oidc", nxt)
    response.delete_cookie(FLOW, path=PATH)
    return response
