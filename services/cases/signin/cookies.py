"""The sign-in pages' own short-lived cookies, before there is a session:

- `zuofeng_signin`: a random value the sign-in form's anti-forgery token is tied to (double
  submit: a cross-site form can neither read nor set it);
- `zuofeng_signin_pending`: after a right password, who is between the password and the
  second factor (signed with the sessions' secret, five minutes).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import jwt
from fastapi import Request, Response

PRE = "zuofeng_signin"
PENDING = "zuofeng_signin_pending"
AUDIENCE = "zuofeng-signin-pending"
PENDING_FOR = timedelta(minutes=5)
PATH = "/signin"


def pre_value(request: Request) -> str:
    """The browser's value, or a new one (set it on the response with `set_pre`)."""
    found = request.cookies.get(PRE, "")
    return found if 20 <= len(found) <= 64 else secrets.token_urlsafe(24)


def set_pre(response: Response, value: str, secure: bool) -> None:
    response.set_cookie(PRE, value, httponly=True, samesite="lax", secure=secure, path=PATH)


def set_pending(response: Response, secret: str, login: str, now: datetime, secure: bool,
                **extra: str) -> None:  # fmt: skip
    claims = {"login": login, "n": secrets.token_urlsafe(16), "aud": AUDIENCE,
              "exp": int((now + PENDING_FOR).timestamp())} | extra  # fmt: skip
    token = jwt.encode(claims, secret, algorithm="HS256")
    response.set_cookie(PENDING, token, max_age=int(PENDING_FOR.total_seconds()),
                        httponly=True, samesite="lax", secure=secure, path=PATH)  # fmt: skip


def pending(request: Request, secret: str) -> dict[str, str] | None:
    """The pending sign-in's claims (`login`, `n` the nonce forms are tied to), if still good."""
    token = request.cookies.get(PENDING, "")
    if not token or len(token) > 2048:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "login", "n"]})  # fmt: skip
    except jwt.PyJWTError:
        return None
    return {k: str(v) for k, v in claims.items()}


def clear_pending(response: Response, secure: bool) -> None:
    response.delete_cookie(PENDING, path=PATH, secure=secure, httponly=True)
