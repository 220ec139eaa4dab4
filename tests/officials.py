"""Signing a test's official in without the sign-in form (until issue 17's sign-in pages are
merged): a session opened in the app's own `SESSIONS` bucket on its bus, and the cookie that
names it, exactly what `WebSessions.start` would set."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shared.auth import Principal
from shared.websession import COOKIE, WebSessions, encode_session, new_claims


async def session_token(app: FastAPI, unit: str, role: str, name: str = "") -> str:
    """The signed cookie value of a fresh session for `role` at `unit`."""
    sessions: WebSessions = app.state.websession
    principal = Principal(sub=f"{role}@{unit}", unit=unit, role=role)
    now = sessions.clock()
    claims = new_claims(
        principal, name=name or f"{role}@{unit}", method="password", now=now,
        absolute=sessions.absolute,
    )  # fmt: skip
    await sessions.store.open(claims, now)
    return encode_session(sessions.secret, claims)


async def session_cookie(app: FastAPI, unit: str, role: str, name: str = "") -> dict[str, Any]:
    """`{zuofeng_session: ...}` for an httpx request's `cookies=`."""
    return {COOKIE: await session_token(app, unit, role, name)}


def csrf_of(page: str) -> str:
    """The form token a rendered page carries (every form has the same one)."""
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


async def session_headers(app: FastAPI, unit: str, role: str, name: str = "") -> dict[str, str]:
    """A `Cookie` header naming a fresh session (httpx deprecates per-request `cookies=`)."""
    return {"Cookie": f"{COOKIE}={await session_token(app, unit, role, name)}"}
