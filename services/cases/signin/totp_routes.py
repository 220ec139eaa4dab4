"""The second step of a sign-in (`/signin/totp`): a code from the authenticator app, after
enrolling it on first sign-in (the otpauth address and the secret as text, and its QR code made
here as inline SVG). Reached only with the pending-sign-in cookie a right password set."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from services.cases.context import Ctx
from services.cases.signin import accounts, cookies, flow, totp
from services.cases.signin.pages import go, is_english, render, secure
from services.cases.signin.routes import FORGED, open_session
from shared.errors import Refusal
from shared.websession import PageCaller, csrf_token, forms_csrf_ok, sessions_of

router = APIRouter(include_in_schema=False)


def _back_to_signin(english: bool, next_url: str) -> Response:
    query = urlencode({"next": next_url} | ({"lang": "en"} if english else {}))
    return go(f"/signin?{query}")


async def _page(request: Request, ctx: Ctx, pending: dict[str, str], english: bool,
                next_url: str, error: Refusal | None = None) -> Response:  # fmt: skip
    account = await accounts.find(ctx, pending["login"])
    if account is None or account.disabled:
        return _back_to_signin(english, next_url)
    enrol: dict[str, object] = {}
    if not account.totp_confirmed:
        secret = await flow.enrolment_secret(ctx, account)
        address = totp.uri(secret, account.login)
        enrol = {"secret": secret, "uri": address, "qr": Markup(totp.qr_svg(address))}
    return render(
        request, ctx, "totp.html", english, status=error.status if error else 200,
        csrf_pre=csrf_token(sessions_of(request).secret, f"pending:{pending['n']}"),
        next=next_url, enrol=enrol, error=error.text(english) if error else "",
    )  # fmt: skip


@router.get("/signin/totp")
async def totp_page(request: Request, ctx: Ctx) -> Response:
    english, nxt = is_english(request), request.query_params.get("next", "")
    pending = cookies.pending(request, sessions_of(request).secret)
    if pending is None:
        return _back_to_signin(english, nxt)
    return await _page(request, ctx, pending, english, nxt)


@router.post("/signin/totp")
async def totp_submit(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    english, nxt = is_english(request, form), str(form.get("next") or "")
    secret = sessions_of(request).secret
    pending = cookies.pending(request, secret)
    if pending is None:
        return _back_to_signin(english, nxt)
    if not forms_csrf_ok(secret, f"pending:{pending['n']}", form.get("csrf")):
        return await _page(request, ctx, pending, english, nxt, FORGED)
    try:
        account = await flow.check_code(ctx, pending["login"], str(form.get("code") or ""))
    except Refusal as refusal:
        return await _page(request, ctx, pending, english, nxt, refusal)
    return await open_session(
        request, ctx, account.principal, account.display_name, "password+totp", nxt
    )


@router.post("/signin/totp/enrol")
async def optional_enrol(request: Request, ctx: Ctx, session: PageCaller) -> Response:
    """A signed-in person whose role does not require it sets up a second factor: the
    session ends and the second step of sign-in enrols and checks it; from then on their
    sign-ins ask for a code."""
    form = await request.form()
    session.check_form(sessions_of(request).secret, form)
    english = is_english(request, form)
    login = session.claims.sub.removeprefix("user:")
    account = await accounts.find(ctx, login) if session.claims.sub.startswith("user:") else None
    if account is None or account.totp_confirmed:
        return go("/signin/done" + ("?lang=en" if english else ""))
    query = urlencode({"next": "/signin/done"} | ({"lang": "en"} if english else {}))
    response = go(f"/signin/totp?{query}")
    await sessions_of(request).end(request, response)
    cookies.set_pending(response, sessions_of(request).secret, login,
                        sessions_of(request).clock(), secure(request))  # fmt: skip
    return response
