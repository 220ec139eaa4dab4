"""The sign-in pages at cases: `/signin` (login and password), `/signout`, `/signin/done`
(where a sign-in without `next` lands). The second factor is `totp_routes`, an identity
provider `oidc_routes`. Forms work without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from services.cases.context import Ctx
from services.cases.signin import accounts, audit, cookies, flow
from services.cases.signin.lockout import AddressLimiter
from services.cases.signin.nextpage import safe_next
from services.cases.signin.pages import client_address, go, is_english, render, secure
from shared.auth import Principal
from shared.errors import Refusal
from shared.websession import MaybePageCaller, csrf_token, forms_csrf_ok, sessions_of

router = APIRouter(include_in_schema=False)
# 422 (the form's token field), not 403: nobody is signed in yet, so no role is refused.
FORGED = Refusal.invalid(
    ("body", "csrf"),
    "表单已过期或来自其他网站，请刷新页面后重试",
    "the form expired or came from another site; reload the page",
)


def limiter(request: Request) -> AddressLimiter:
    return request.app.state.signin_limiter  # type: ignore[no-any-return]


def _form_page(request: Request, ctx: Ctx, english: bool, next_url: str, login: str = "",
               error: Refusal | None = None) -> Response:  # fmt: skip
    pre = cookies.pre_value(request)
    secret = sessions_of(request).secret
    page = render(
        request, ctx, "signin.html", english, status=error.status if error else 200,
        csrf_pre=csrf_token(secret, f"pre:{pre}"), next=next_url, login=login,
        error=error.text(english) if error else "", oidc=bool(ctx.settings.oidc_issuer),
    )  # fmt: skip
    cookies.set_pre(page, pre, secure(request))
    return page


@router.get("/signin")
async def signin_page(request: Request, ctx: Ctx) -> Response:
    nxt = safe_next(request.query_params.get("next"), ctx.settings.page_origins)
    return _form_page(request, ctx, is_english(request), nxt)


async def open_session(request: Request, ctx: Ctx, principal: Principal, name: str,
                       method: str, next_url: str) -> RedirectResponse:  # fmt: skip
    """Open the session and send the browser on (`next`, checked)."""
    response = go(safe_next(next_url, ctx.settings.page_origins))
    await sessions_of(request).start(request, response, principal, name=name, method=method)
    cookies.clear_pending(response, secure(request))
    return response


@router.post("/signin")
async def signin_submit(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    english, nxt = is_english(request, form), str(form.get("next") or "")
    login, password = str(form.get("login") or "").strip(), str(form.get("password") or "")
    secret = sessions_of(request).secret
    if not forms_csrf_ok(secret, f"pre:{request.cookies.get(cookies.PRE, '')}", form.get("csrf")):
        return _form_page(request, ctx, english, nxt, login, FORGED)
    try:
        passed = await flow.check_password(
            ctx, limiter(request), client_address(request), login, password
        )
    except Refusal as refusal:
        return _form_page(request, ctx, english, nxt, login, refusal)
    if not passed.needs_totp:
        await flow.signed_in(ctx, passed.account, "password")
        account = passed.account
        return await open_session(
            request, ctx, account.principal, account.display_name, "password", nxt
        )
    query = urlencode({"next": nxt} | ({"lang": "en"} if english else {}))
    response = go(f"/signin/totp?{query}")
    cookies.set_pending(response, secret, login, sessions_of(request).clock(), secure(request))
    return response


@router.post("/signout")
async def signout(request: Request, ctx: Ctx, session: MaybePageCaller) -> Response:
    form = await request.form()
    english = is_english(request, form)
    if session is not None:
        session.check_form(sessions_of(request).secret, form)
    response = go("/signin" + ("?lang=en" if english else ""))
    claims = await sessions_of(request).end(request, response)
    if claims is not None and session is not None:
        async with ctx.db.sessions() as db, db.begin():
            await audit.signin(db, claims.sub.removeprefix("user:"), "signed_out",
                               claims.method, ctx.now(), unit=claims.unit,
                               role=claims.role)  # fmt: skip
    return response


@router.get("/signin/done")
async def signed_in_page(request: Request, ctx: Ctx, session: MaybePageCaller) -> Response:
    english = is_english(request)
    if session is None:
        return go("/signin" + ("?lang=en" if english else ""))
    login = session.claims.sub.removeprefix("user:")
    account = await accounts.find(ctx, login) if session.claims.sub.startswith("user:") else None
    offer = account is not None and not account.totp_confirmed
    return render(request, ctx, "done.html", english, session=session, offer_totp=offer)
