"""Helpers for the sign-in tests (no tests here): accounts made as `zuofeng user add` makes
them, and a browser-like client walking the sign-in forms."""

from __future__ import annotations

import re

import httpx
import pyotp

from services.cases.context import Context
from services.cases.signin import accounts, totp
from services.cases.signin.accounts import Account

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET_SHOWN = re.compile(r'<code id="totp-secret">([A-Z2-7]+)</code>')


async def account(ctx: Context, login: str, role: str, unit: str = "371402-fpb") -> Account:
    return await accounts.add(ctx, login, unit, role, f"Name of {login}", PASSWORD)


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


async def password_step(http: httpx.AsyncClient, login: str, password: str = PASSWORD,
                        next_url: str = "") -> httpx.Response:  # fmt: skip
    form = await http.get("/signin", params={"next": next_url} if next_url else None)
    assert form.status_code == 200
    data = {"login": login, "password": password, "csrf": csrf_of(form), "next": next_url}
    return await http.post("/signin", data=data)


async def totp_step(http: httpx.AsyncClient, ctx: Context, secret: str | None = None,
                    code: str | None = None, next_url: str = "") -> httpx.Response:  # fmt: skip
    page = await http.get("/signin/totp", params={"next": next_url})
    assert page.status_code == 200, page.text
    shown = SECRET_SHOWN.search(page.text)
    secret = secret or (shown.group(1) if shown else None)
    assert secret, "no secret shown and none given"
    code = code or pyotp.TOTP(secret, interval=totp.STEP).at(ctx.now())
    return await http.post(
        "/signin/totp", data={"code": code, "csrf": csrf_of(page), "next": next_url}
    )
