"""Integrators over NATS request-reply on `zuofeng.v1.<county>.intake.submit`: the same body,
validation and answers as HTTP, a token required, idempotent, and no stream captures it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nats.aio.client import Client

from shared import apikeys
from shared.natsserver import NatsProcess
from shared.streams import stream_for_subject
from shared.subjects import submit_subject
from tests.integration.test_intake_harness import Intake, bearer, published, report, running_intake

pytestmark = pytest.mark.integration


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


async def ask(nc: Client, body: Any, county: str = "371402", **headers: str) -> dict[str, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = await nc.request(submit_subject(county), data, timeout=10, headers=headers or None)
    return json.loads(reply.data)  # type: ignore[no-any-return]


def token() -> dict[str, str]:
    return bearer("integrator", unit="city-fpb")  # the city may submit for any county


async def test_a_report_over_nats_is_accepted_and_published(intake: Intake, nc: Client) -> None:
    answer = await ask(nc, report(channel="integrator"), **token())
    assert set(answer) == {"report_id", "tracking_code"}
    [event] = await published(intake, {answer["report_id"]})
    assert event.data["channel"] == "integrator"
    assert event.data["submitted_by_unit"] == "city-fpb"
    assert (await intake.view(answer["tracking_code"]))["status"] == "received"


async def test_the_county_may_come_from_the_subject(intake: Intake, nc: Client) -> None:
    body = report(channel="integrator")
    del body["county"]
    answer = await ask(nc, body, county="371403", **token())
    [event] = await published(intake, {answer["report_id"]})
    assert event.county == "371403"
    mismatch = await ask(nc, report(county="371402"), county="371403", **token())
    assert mismatch["error"]["status"] == 422
    assert mismatch["error"]["detail"][0]["loc"] == ["body", "county"]


async def test_a_token_is_required(intake: Intake, nc: Client) -> None:
    assert (await ask(nc, report()))["error"]["status"] == 401
    bad = await ask(nc, report(), Authorization="Bearer not-a-token")
    assert bad["error"]["status"] == 401
    officer = await ask(nc, report(channel="hotline"), **bearer("officer"))
    assert officer["error"]["status"] == 403


async def test_validation_answers_like_http(intake: Intake, nc: Client) -> None:
    body = report(content="短", category_hint=999)
    over_nats = await ask(nc, body, **token(), **{"Accept-Language": "en"})
    over_http = await intake.http.post(
        "/api/v1/reports", json=body, headers=token() | {"Accept-Language": "en"}
    )
    assert over_nats["error"]["status"] == over_http.status_code == 422
    assert over_nats["error"]["detail"] == over_http.json()["detail"]
    schema = await ask(nc, report(reporter={"anonymous": False, "phone": "x"}), **token())
    assert schema["error"]["detail"][0]["loc"] == ["body", "reporter", "phone"]
    assert (await ask(nc, b"{not json", **token()))["error"]["status"] == 422


async def test_idempotency_key_header(intake: Intake, nc: Client) -> None:
    key = {"Idempotency-Key": "12317-000981"}
    first = await ask(nc, report(), **token(), **key)
    assert await ask(nc, report(), **token(), **key) == first
    other = await ask(nc, report(title="另一件"), **token(), **key)
    assert other["error"]["status"] == 409


def test_no_stream_captures_the_submit_subject() -> None:
    with pytest.raises(LookupError):
        stream_for_subject(submit_subject("371402"))


async def test_an_integrators_api_key_works_over_nats_and_http(intake: Intake, nc: Client) -> None:
    _, key = await apikeys.create(intake.js, unit="371402-fpb", role="integrator")
    answer = await ask(nc, report(channel="integrator"), **{"X-API-Key": key})
    [event] = await published(intake, {answer["report_id"]})
    assert event.data["submitted_by_unit"] == "371402-fpb"
    over_http = await intake.http.post(
        "/api/v1/reports", json=report(channel="integrator"), headers={"X-API-Key": key}
    )
    assert over_http.status_code == 202
    assert (await ask(nc, report(), **{"X-API-Key": key + "x"}))["error"]["status"] == 401
