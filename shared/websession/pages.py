"""What a service's pages use: the session of the request (`page_session`), the signed-in
person or a redirect to sign-in (`PageCaller`), the role check, and opening or ending a session
on a response (`WebSessions`). `shared.runtime.build_app` installs one `WebSessions` per app as
`app.state.websession`, backed by the bus's `SESSIONS` bucket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from shared.auth.roles import Principal
from shared.errors import Refusal
from shared.websession.csrf import csrf_token, forms_csrf_ok
from shared.websession.store import SessionStore
from shared.websession.tokens import SessionClaims, decode_session, encode_session, new_claims

COOKIE = "zuofeng_session"


def utc_now() -> datetime:
    return datetime.now(UTC)


class SignInRequired(Exception):
    """A page needs a signed-in person: answered with a redirect to the sign-in page."""


@dataclass(frozen=True)
class PageSession:
    """The signed-in person of a page request, and the token its forms must carry."""

    claims: SessionClaims
    csrf: str

    @property
    def principal(self) -> Principal:
        return self.claims.principal

    def check_form(self, secret: str, form: Any) -> None:
        """403 unless the form carries this session's token (`csrf` field)."""
        if not forms_csrf_ok(secret, self.claims.sid, form.get("csrf")):
            raise Refusal.forbidden(
                "表单已过期或来自其他网站，请刷新页面后重试",
                "the form expired or came from another site; reload the page",
            )


class WebSessions:
    """Opening, checking and ending page sessions with one service's settings."""

    def __init__(
        self, settings: Any, store: SessionStore, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.secret: str = settings.resolved_session_secret()
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.absolute = timedelta(hours=settings.session_absolute_hours)
        self.signin_url: str = settings.signin_url
        self._cookie_secure: bool | None = settings.session_cookie_secure
        self._production = settings.environment == "production"
        self.store = store
        self.clock = clock

    def secure(self, request: Request) -> bool:
        """`Secure` always in production, else as configured, else when over https."""
        if self._production:
            return True
        if self._cookie_secure is not None:
            return self._cookie_secure
        return request.url.scheme == "https"

    async def current(self, request: Request) -> PageSession | None:
        claims = decode_session(self.secret, request.cookies.get(COOKIE, ""), self.clock())
        if claims is None:
            return None
        try:
            alive = await self.store.alive(claims, self.clock(), self.idle)
        except Exception as exc:  # the bus is unreachable: say so, never "signed out"
            raise Refusal.unavailable(
                "暂时无法核对登录状态，请稍后再试", "cannot check the session now; try later"
            ) from exc
        return PageSession(claims, csrf_token(self.secret, claims.sid)) if alive else None

    async def start(
        self, request: Request, response: Response, principal: Principal, *, name: str,
        method: str,
    ) -> SessionClaims:  # fmt: skip
        """Open a session for `principal` and set its cookie on `response`."""
        now = self.clock()
        claims = new_claims(principal, name=name, method=method, now=now, absolute=self.absolute)
        await self.store.open(claims, now)
        response.set_cookie(
            COOKIE,
            encode_session(self.secret, claims),
            max_age=int(self.absolute.total_seconds()),
            httponly=True,
            samesite="lax",  # sent on the top-level GET back from the identity provider
            secure=self.secure(request),
            path="/",
        )
        return claims

    async def end(self, request: Request, response: Response) -> SessionClaims | None:
        """End the request's session everywhere and clear its cookie; the claims it had."""
        claims = decode_session(self.secret, request.cookies.get(COOKIE, ""), self.clock())
        if claims is not None:
            await self.store.end(claims.sid)
        response.delete_cookie(COOKIE, path="/", secure=self.secure(request), httponly=True)
        return claims

    def signin_redirect(self, request: Request) -> RedirectResponse:
        """303 to the sign-in page, which comes back here (`next`) after sign-in."""
        here = request.url
        back = (
            str(here)
            if self.signin_url.startswith("http")
            else here.path + (f"?{here.query}" if here.query else "")
        )
        return RedirectResponse(f"{self.signin_url}?{urlencode({'next': back})}", 303)


def sessions_of(request: Request) -> WebSessions:
    return cast(WebSessions, request.app.state.websession)


# async, as every dependency here: FastAPI runs a plain `def` one in its thread pool.
async def page_session(request: Request) -> PageSession | None:
    """The request's live session, or None (signed out, expired, ended elsewhere).

    Looked up once per request: each look is several round trips to the bus's bucket (and
    touches the session), and a page may ask more than once (who is looking; the form token)."""
    if hasattr(request.state, "page_session"):
        known: PageSession | None = request.state.page_session
        return known
    session = await sessions_of(request).current(request)
    request.state.page_session = session
    return session


async def required_page_session(
    session: Annotated[PageSession | None, Depends(page_session)],
) -> PageSession:
    if session is None:
        raise SignInRequired()
    return session


PageCaller = Annotated[PageSession, Depends(required_page_session)]
MaybePageCaller = Annotated[PageSession | None, Depends(page_session)]


def require_page_role(session: PageSession, *roles: str) -> None:
    """403 unless the signed-in person has one of `roles` (scope checks, giving 404, first)."""
    if session.claims.role not in roles:
        raise Refusal.forbidden(
            "您的角色无权使用此页面", f"role {session.claims.role} may not use this page"
        )


def install(app: FastAPI, sessions: WebSessions) -> None:
    app.state.websession = sessions

    @app.exception_handler(SignInRequired)
    async def to_signin(request: Request, exc: SignInRequired) -> RedirectResponse:
        return sessions_of(request).signin_redirect(request)
