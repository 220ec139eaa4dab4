"""Signing in through an identity provider (OIDC code flow with PKCE) against a provider on
loopback over real HTTP: the session carries the provider's unit and role; a wrong state,
nonce, signing key or audience, or a unit or role unknown here, signs nobody in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.natsserver import NatsProcess
from tests.integration.oidc_op import CLIENT_ID, CLIENT_SECRET, Provider, provider
from tests.integration.test_audit_records import audit_records
from tests.integration.test_cases_harness import Clock, Running, cases_running, own_nats

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
PERSON = {"sub": "op-42", "preferred_username": "zhang.city", "name": "张市办",
          "unit": "city-fpb", "role": "city_office"}  # fmt: skip


def oidc_settings(op: Provider) -> dict[str, Any]:
    return {"oidc_issuer": op.issuer, "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET}  # fmt: skip


async def through_provider(running: Running, state: str | None = None) -> httpx.Response:
    """Start at /signin/oidc, let the provider approve, come back to the callback."""
    start = await running.http.get("/signin/oidc", params={"next": "/workbench"})
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as browser:
        approved = await browser.get(start.headers["location"])
    assert approved.status_code == 302
    back = httpx.URL(approved.headers["location"])
    params = dict(back.params) | ({"state": state} if state else {})
    return await running.http.get(back.path, params=params)


async def test_the_provider_signs_a_person_in_with_pkce(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with provider() as op:
        op.claims = dict(PERSON)
        async with cases_running(own_nats.url, database_url, tmp_path, Clock(),
                                 **oidc_settings(op)) as running:  # fmt: skip
            page = await running.http.get("/signin")
            assert "/signin/oidc" in page.text
            done = await through_provider(running)
            assert done.status_code == 303 and done.headers["location"] == "/workbench"
            assert op.pkce_checked == 1
            shown = await running.http.get("/signin/done")
            assert "张市办" in shown.text and "市扶贫办" in shown.text  # the unit, by name
            records = [e["data"] for _, e in await audit_records(running.js, "audit.signin")]
            assert any(r["method"] == "oidc" and r["login"] == "zhang.city" for r in records)


FAILED, UNKNOWN = "统一身份认证登录失败", "未在本系统登记"


@pytest.mark.parametrize(
    ("tamper", "claims", "shown"),
    [
        ("state", {}, FAILED),
        ("nonce", {}, FAILED),
        ("key", {}, FAILED),
        ("audience", {}, FAILED),
        ("", {"role": "integrator"}, UNKNOWN),
        ("", {"unit": "no-such-unit"}, UNKNOWN),
    ],
)
async def test_what_the_provider_says_is_checked(
    own_nats: NatsProcess, tmp_path: Path, tamper: str, claims: dict[str, str], shown: str
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"
    async with provider() as op:
        op.claims = PERSON | claims
        op.tamper = {tamper}
        async with cases_running(own_nats.url, database_url, tmp_path, Clock(),
                                 **oidc_settings(op)) as running:  # fmt: skip
            answer = await through_provider(running, "forged" if tamper == "state" else None)
            assert answer.status_code == 422
            assert shown in answer.text.split('id="signin-error"')[1]
            assert "zuofeng_session" not in running.http.cookies
