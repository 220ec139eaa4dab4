"""Page sessions on the real bus (shared.websession): one session honoured by every service,
ended everywhere by sign-out or by disabling the account, idle and absolute timeouts."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request
from nats.js import JetStreamContext

from shared.auth import Principal
from shared.websession import (
    KvSessionStore,
    csrf_token,
    decode_session,
    encode_session,
    ensure_bucket,
    forms_csrf_ok,
    new_claims,
)
from shared.websession.pages import COOKIE, WebSessions, install, page_session
from shared.websession.store import BUCKET

OFFICER = Principal(sub="user:li", unit="371402-fpb", role="officer")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)


@pytest.fixture
async def store(js: JetStreamContext) -> KvSessionStore:
    with contextlib.suppress(Exception):  # absent on a fresh server
        await js.delete_key_value(BUCKET)
    await ensure_bucket(js)
    return KvSessionStore(lambda: js)


def claims(now: datetime = NOW, hours: float = 10):  # type: ignore[no-untyped-def]
    return new_claims(OFFICER, name="李明", method="password", now=now,
                      absolute=timedelta(hours=hours))  # fmt: skip


async def test_a_session_lives_until_signed_out_and_then_nowhere(store: KvSessionStore) -> None:
    mine, other = claims(), claims()
    await store.open(mine, NOW)
    await store.open(other, NOW)
    # Another service's store object (its own connection to the same bucket) sees it too.
    assert await store.alive(mine, NOW + timedelta(minutes=5), IDLE)
    await store.end(mine.sid)
    assert not await store.alive(mine, NOW + timedelta(minutes=6), IDLE)
    assert await store.alive(other, NOW + timedelta(minutes=6), IDLE)  # only that one ended


async def test_idle_timeout_and_refresh(store: KvSessionStore) -> None:
    mine = claims()
    await store.open(mine, NOW)
    # Used after 20 minutes: refreshed, so alive 45 minutes after opening.
    assert await store.alive(mine, NOW + timedelta(minutes=20), IDLE)
    assert await store.alive(mine, NOW + timedelta(minutes=45), IDLE)
    assert not await store.alive(mine, NOW + timedelta(minutes=80), IDLE)  # 35 min unused


async def test_absolute_timeout_even_when_used(store: KvSessionStore) -> None:
    mine = claims(hours=1)
    await store.open(mine, NOW)
    for minutes in (20, 40, 59):
        assert await store.alive(mine, NOW + timedelta(minutes=minutes), IDLE)
    assert not await store.alive(mine, NOW + timedelta(minutes=61), IDLE)


async def test_disabling_the_account_ends_its_sessions_not_later_ones(
    store: KvSessionStore,
) -> None:
    before = claims()
    await store.open(before, NOW)
    await store.end_user(OFFICER.sub, NOW + timedelta(minutes=1))
    assert not await store.alive(before, NOW + timedelta(minutes=2), IDLE)
    after = claims(now=NOW + timedelta(minutes=3))  # signed in again after a reset
    await store.open(after, NOW + timedelta(minutes=3))
    assert await store.alive(after, NOW + timedelta(minutes=4), IDLE)


def test_the_cookie_is_signed_and_bounded() -> None:
    secret = "w" * 32
    mine = claims()
    token = encode_session(secret, mine)
    assert decode_session(secret, token, NOW) == mine
    assert decode_session("x" * 32, token, NOW) is None  # another secret
    assert decode_session(secret, token[:-2] + "AA", NOW) is None  # edited
    assert decode_session(secret, token, NOW + timedelta(hours=10)) is None  # absolute timeout
    assert decode_session(secret, "", NOW) is None


def test_form_tokens_are_tied_to_the_session() -> None:
    secret = "w" * 32
    token = csrf_token(secret, "sid-1")
    assert forms_csrf_ok(secret, "sid-1", token)
    assert not forms_csrf_ok(secret, "sid-2", token)
    assert not forms_csrf_ok(secret, "sid-1", "")
    assert not forms_csrf_ok(secret, "", token)
    assert not forms_csrf_ok(secret, "sid-1", None)


def test_pages_link_across_services(tmp_path: object) -> None:
    from shared.settings import service_settings

    make = service_settings("notify", 8003)
    alone = make(var_dir=tmp_path)
    assert alone.signin_url == "/signin"  # one origin behind the proxy
    ports = make(var_dir=tmp_path, page_origins="cases=http://127.0.0.1:8002/, intake=http://h:1")
    assert ports.signin_url == "http://127.0.0.1:8002/signin"
    assert ports.page_url("intake", "/desk") == "http://h:1/desk"
    assert ports.page_url("reporting", "/") == "/"


class CountingStore(KvSessionStore):
    """The real bucket, with a count of the session checks (each several bus round trips)."""

    def __init__(self, js: JetStreamContext) -> None:
        super().__init__(lambda: js)
        self.checks = 0

    async def alive(self, claims, now, idle):  # type: ignore[no-untyped-def]
        self.checks += 1
        return await super().alive(claims, now, idle)


async def test_a_page_asking_twice_checks_the_session_once(js: JetStreamContext) -> None:
    with contextlib.suppress(Exception):
        await js.delete_key_value(BUCKET)
    await ensure_bucket(js)
    store = CountingStore(js)
    settings = SimpleNamespace(
        resolved_session_secret=lambda: "s" * 32, session_idle_minutes=30,
        session_absolute_hours=10, signin_url="/signin", session_cookie_secure=None,
        environment="development",
    )  # fmt: skip
    sessions = WebSessions(settings, store, clock=lambda: NOW)
    app = FastAPI()
    install(app, sessions)

    @app.get("/page")
    async def page(request: Request) -> dict[str, str | None]:
        who = await page_session(request)  # who is looking
        form = await page_session(request)  # the form's token
        return {"sub": who.claims.sub if who else None, "csrf": form.csrf if form else None}

    mine = claims()
    await store.open(mine, NOW)
    cookie = {COOKIE: encode_session("s" * 32, mine)}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", cookies=cookie) as http:
        first = (await http.get("/page")).json()
        assert first == {"sub": OFFICER.sub, "csrf": csrf_token("s" * 32, mine.sid)}
        assert store.checks == 1
        await http.get("/page")
        assert store.checks == 2  # a new request checks again (the session may have ended)
        await store.end(mine.sid)
        assert (await http.get("/page")).json() == {"sub": None, "csrf": None}
