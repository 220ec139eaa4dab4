"""The dashboard's sign-in (issue 15.16): the cookie holds a server-side session id, never the
API token; HttpOnly, SameSite=Strict, `Secure` behind TLS and always in production, no longer
than the token; signing out ends the session on the server; HSTS in production."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.reporting.models import dashboard_sessions
from services.reporting.settings import ReportingSettings
from shared.auth import issue_token
from tests.factories import SAFE_PRODUCTION
from tests.integration.test_reporting_harness import SECRET, Service, service

pytestmark = pytest.mark.integration
COOKIE = "zuofeng_session"


def _token(ttl: timedelta = timedelta(hours=1), role: str = "city_office") -> str:
    return issue_token(SECRET, unit="city-fpb", role=role, sub="tests", ttl=ttl)


async def _sign_in(http: httpx.AsyncClient, token: str) -> httpx.Response:
    await http.get("/login")  # hands out the CSRF cookie (kept by the client) and field
    return await http.post("/login", data={"token": token, "csrf": http.cookies["zuofeng_csrf"]})


def _set_cookie(answer: httpx.Response) -> Any:
    jar: SimpleCookie = SimpleCookie()
    for header in answer.headers.get_list("set-cookie"):
        jar.load(header)
    return jar[COOKIE]


async def _rows(svc: Service) -> list[Any]:
    async with svc.db.sessions() as session:
        return list((await session.execute(select(dashboard_sessions))).mappings().all())


async def test_the_cookie_is_a_session_not_the_token(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path) as svc:
        http = svc.http
        token = _token(ttl=timedelta(minutes=30))
        signed_in = await _sign_in(http, token)
        assert signed_in.status_code == 303
        cookie = _set_cookie(signed_in)
        session_id = cookie.value
        assert session_id and token not in signed_in.headers["set-cookie"]
        assert cookie["httponly"] and cookie["samesite"].lower() == "strict"
        assert not cookie["secure"], "plain http outside production"
        assert 0 < int(cookie["max-age"]) <= 30 * 60, "never longer than the token"
        # Only the id's hash is kept, and the session ends with the token.
        [row] = await _rows(svc)
        assert row["id_hash"] == hashlib.sha256(session_id.encode()).hexdigest()
        assert session_id not in str(dict(row))
        assert row["expires_at"] <= datetime.now(UTC) + timedelta(minutes=30)
        assert (row["unit"], row["role"]) == ("city-fpb", "city_office")

        assert (await http.get("/alerts")).status_code == 200  # the client keeps the cookie
        # A token planted as the cookie is no session.
        http.cookies.set(COOKIE, token)
        assert (await http.get("/alerts")).status_code == 401
        http.cookies.set(COOKIE, session_id)
        out = await http.post("/logout", data={"csrf": http.cookies["zuofeng_csrf"]})
        assert out.status_code == 303 and await _rows(svc) == []
        http.cookies.set(COOKIE, session_id)  # replayed after signing out: ended on the server
        assert (await http.get("/alerts")).status_code == 401


async def test_an_expired_session_signs_nobody_in(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path, session_hours=0.0003) as svc:  # about 1 s
        assert (await _sign_in(svc.http, _token())).status_code == 303
        assert (await svc.http.get("/alerts")).status_code == 200
        [row] = await _rows(svc)
        wait = (row["expires_at"] - datetime.now(UTC)).total_seconds()
        await asyncio.sleep(max(0.0, wait) + 0.2)
        assert (await svc.http.get("/alerts")).status_code == 401


async def test_cookies_are_secure_behind_tls(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path) as svc:
        transport = httpx.ASGITransport(app=svc.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://reporting") as tls:
            signed_in = await _sign_in(tls, _token())
            assert _set_cookie(signed_in)["secure"]
    async with service(database_url, tmp_path / "b", cookie_secure=True) as svc:
        # Configured on (a proxy terminates TLS): even the plain-http hop sets Secure cookies.
        form = await svc.http.get("/login")
        assert "secure" in form.headers["set-cookie"].lower()


async def test_production_sends_hsts_and_secure_cookies(database_url: str, tmp_path: Path) -> None:
    production = {k: v for k, v in SAFE_PRODUCTION.items() if k != "jwt_secret"}
    async with service(database_url, tmp_path, **production) as svc:
        for path in ("/", "/login", "/healthz", "/api/v1/exposures"):
            answer = await svc.http.get(path)
            assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
        form = await svc.http.get("/login")
        assert "secure" in form.headers["set-cookie"].lower()  # the CSRF cookie, even over http
    async with service(database_url, tmp_path / "local") as svc:
        assert "strict-transport-security" not in (await svc.http.get("/")).headers


def test_production_refuses_cookies_without_secure(tmp_path: Path) -> None:
    values = {**SAFE_PRODUCTION, "var_dir": tmp_path, "jwt_secret": SECRET}
    with pytest.raises(ValueError, match="ZUOFENG_REPORTING_COOKIE_SECURE"):
        ReportingSettings(**values, cookie_secure=False)
    assert ReportingSettings(**values).cookie_secure is None  # unset: Secure all the same
