"""Signing in at cases (issue 17) on a real bus and database: password, lockout, second
factor, audit records, and signing out ending the session on another service's pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.cases.signin import accounts
from shared.natsserver import NatsProcess
from shared.websession import KvSessionStore, PageCaller, WebSessions, install
from tests.integration.busutil import eventually
from tests.integration.signin_util import PASSWORD, account, password_step, totp_step
from tests.integration.test_audit_records import audit_records
from tests.integration.test_cases_harness import Clock, Running, cases_running, own_nats

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]  # the fixture, imported for pytest


def other_service(running: Running) -> FastAPI:
    """Another service's pages: its own WebSessions on the same bucket (its own view)."""
    app = FastAPI()
    settings = running.ctx.settings
    install(app, WebSessions(settings, KvSessionStore(lambda: running.js)))

    @app.get("/page")
    async def page(session: PageCaller) -> dict[str, str]:
        return {"sub": session.claims.sub, "role": session.claims.role}

    return app


async def signins(running: Running, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def enough() -> bool:
        found[:] = [e for _, e in await audit_records(running.js, "audit.signin")]
        return len(found) >= count

    await eventually(enough, timeout=15)
    return [e["data"] for e in found]


async def test_password_sign_in_and_sign_out_everywhere(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with cases_running(own_nats.url, database_url, tmp_path, Clock()) as running:
        await account(running.ctx, "li.ming", "officer")
        http = running.http
        answer = await password_step(http, "li.ming", next_url="/workbench?lang=en")
        assert answer.status_code == 303 and answer.headers["location"] == "/workbench?lang=en"
        cookie = http.cookies["zuofeng_session"]
        transport = httpx.ASGITransport(app=other_service(running))
        jar = {"zuofeng_session": cookie}
        other = httpx.AsyncClient(transport=transport, base_url="http://notify", cookies=jar)
        seen = await other.get("/page")
        assert seen.json() == {"sub": "user:li.ming", "role": "officer"}
        done = await http.get("/signin/done")
        assert "Name of li.ming" in done.text and 'name="csrf"' in done.text
        # Signing out needs the form's token; then the other service sees no session.
        assert (await http.post("/signout", data={"csrf": "forged"})).status_code == 403
        token = done.text.split('name="csrf" value="')[1].split('"')[0]
        out = await http.post("/signout", data={"csrf": token})
        assert out.status_code == 303 and out.headers["location"].startswith("/signin")
        gone = await other.get("/page")
        assert gone.status_code == 303 and "/signin?next=" in gone.headers["location"]
        records = await signins(running, 2)
        assert [r["outcome"] for r in records] == ["signed_in", "signed_out"]
        assert records[0]["login"] == "li.ming" and records[0]["unit"] == "371402-fpb"
        assert PASSWORD not in str(records)


async def test_wrong_passwords_lock_the_account_and_unknown_logins_look_alike(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    async with cases_running(own_nats.url, database_url, tmp_path, clock,
                             signin_max_failures=3, signin_lock_minutes=10) as running:  # fmt: skip
        await account(running.ctx, "li.ming", "officer")
        http = running.http
        unknown = await password_step(http, "nobody", "whatever-password")
        wrong = await password_step(http, "li.ming", "wrong-password!")
        assert unknown.status_code == wrong.status_code == 422
        assert "登录名或密码不正确" in unknown.text and "登录名或密码不正确" in wrong.text
        assert (await password_step(http, "li.ming", "wrong-again!!")).status_code == 422
        locked = await password_step(http, "li.ming", "third-wrong!!")
        assert locked.status_code == 429 and "锁定" in locked.text
        # Locked: even the right password is refused, until the lock ends.
        assert (await password_step(http, "li.ming")).status_code == 429
        assert "zuofeng_session" not in http.cookies
        clock.advance(minutes=11)
        assert (await password_step(http, "li.ming")).status_code == 303
        outcomes = [(r["login"], r["outcome"], r["reason"]) for r in await signins(running, 6)]
        assert outcomes == [
            ("nobody", "failed", "unknown"),
            ("li.ming", "failed", "password"),
            ("li.ming", "failed", "password"),
            ("li.ming", "locked", "password"),
            ("li.ming", "failed", "locked"),
            ("li.ming", "signed_in", ""),
        ]


async def test_forms_without_their_token_are_refused(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with cases_running(own_nats.url, database_url, tmp_path, Clock()) as running:
        await account(running.ctx, "li.ming", "officer")
        await running.http.get("/signin")
        data = {"login": "li.ming", "password": PASSWORD, "csrf": "x" * 64}
        answer = await running.http.post("/signin", data=data)
        assert answer.status_code == 422 and "表单已过期" in answer.text
        assert "zuofeng_session" not in running.http.cookies
        # `next` off our origins is dropped (no open redirect).
        off = await password_step(running.http, "li.ming", next_url="https://evil.example/")
        assert off.headers["location"] == "/signin/done"


async def test_totp_roles_enrol_then_need_a_fresh_code(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    async with cases_running(own_nats.url, database_url, tmp_path, clock) as running:
        await account(running.ctx, "wang.lead", "leader", unit="371402-lg")
        http = running.http
        first = await password_step(http, "wang.lead", next_url="/workbench")
        assert first.status_code == 303 and first.headers["location"].startswith("/signin/totp")
        assert "zuofeng_session" not in http.cookies, "no session before the second factor"
        enrol = await http.get("/signin/totp")
        assert "<svg" in enrol.text and "otpauth://totp/" in enrol.text
        secret = enrol.text.split('<code id="totp-secret">')[1].split("<")[0]
        stored = await accounts.find(running.ctx, "wang.lead")
        assert stored is not None and stored.totp_sealed and secret not in stored.totp_sealed
        assert (await totp_step(http, running.ctx, secret, "000000")).status_code == 422
        done = await totp_step(http, running.ctx, secret, next_url="/workbench")
        assert done.status_code == 303 and done.headers["location"] == "/workbench"
        http.cookies.clear()
        # Enrolled: the page asks for a code and shows no secret; the used code is refused.
        await password_step(http, "wang.lead")
        again = await http.get("/signin/totp")
        assert "totp-secret" not in again.text
        assert (await totp_step(http, running.ctx, secret)).status_code == 422  # replayed
        clock.advance(seconds=60)
        assert (await totp_step(http, running.ctx, secret)).status_code == 303
        methods = [r["method"] for r in await signins(running, 4) if r["outcome"] == "signed_in"]
        assert methods == ["password+totp", "password+totp"]


async def test_a_disabled_account_signs_in_no_more_and_its_session_ends(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with cases_running(own_nats.url, database_url, tmp_path, Clock()) as running:
        await account(running.ctx, "li.ming", "officer")
        http = running.http
        assert (await password_step(http, "li.ming")).status_code == 303
        assert (await http.get("/signin/done")).status_code == 200
        await accounts.disable(running.ctx, "li.ming")
        await running.app.state.websession.store.end_user("user:li.ming", datetime.now(UTC))
        assert (await http.get("/signin/done")).status_code == 303  # back to sign-in
        assert (await password_step(http, "li.ming")).status_code == 422


async def test_other_roles_may_set_up_a_second_factor(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    async with cases_running(own_nats.url, database_url, tmp_path, clock) as running:
        await account(running.ctx, "li.ming", "officer")
        http = running.http
        assert (await password_step(http, "li.ming")).status_code == 303  # no code needed
        done = await http.get("/signin/done")
        assert "/signin/totp/enrol" in done.text
        token = done.text.split('name="csrf" value="')[1].split('"')[0]
        assert (await http.post("/signin/totp/enrol", data={"csrf": "x"})).status_code == 403
        begun = await http.post("/signin/totp/enrol", data={"csrf": token})
        assert begun.status_code == 303 and begun.headers["location"].startswith("/signin/totp")
        assert (await http.get("/signin/done")).status_code == 303  # re-authenticating
        enrolled = await totp_step(http, running.ctx, next_url="/signin/done")
        assert enrolled.status_code == 303
        assert "/signin/totp/enrol" not in (await http.get("/signin/done")).text
        http.cookies.clear()
        clock.advance(seconds=60)
        again = await password_step(http, "li.ming")
        assert again.headers["location"].startswith("/signin/totp"), "a code from now on"
