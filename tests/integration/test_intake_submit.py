"""Submitting reports over HTTP: the validation matrix (each bad field alone → 422 naming it,
zh-CN and English), channels and roles, idempotency both ways, and the event it publishes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from services.intake import drafts as intake_drafts
from services.intake.models import idempotency, reports
from services.intake.schemas.report import ReportIn
from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import (
    CONTENT,
    Intake,
    bearer,
    published,
    report,
    running_intake,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


NAMED = {"anonymous": False, "name": "张三", "phone": "13800138000"}
BAD_FIELDS: list[tuple[str, dict[str, Any], list[str | int]]] = [
    ("unknown county", {"county": "999999"}, ["county"]),
    ("county not 6 digits", {"county": "3714"}, ["county"]),
    ("content too short", {"content": "太短了"}, ["content"]),
    ("content too long", {"content": "长" * 5001}, ["content"]),
    ("content missing", {"content": None}, ["content"]),
    ("unknown channel", {"channel": "fax"}, ["channel"]),
    ("malformed phone", {"reporter": NAMED | {"phone": "call me"}}, ["reporter", "phone"]),
    ("malformed email", {"reporter": NAMED | {"email": "nobody"}}, ["reporter", "email"]),
    ("anonymous with a name", {"reporter": {"anonymous": True, "name": "张三"}}, ["reporter"]),
    ("named with nothing", {"reporter": {"anonymous": False}}, ["reporter"]),
    ("unknown problem", {"category_hint": 999}, ["category_hint"]),
    ("problem not a number", {"category_hint": "lots"}, ["category_hint"]),
    ("in the future", {"occurred_on": str(date.today() + timedelta(days=2))}, ["occurred_on"]),
    ("not a date", {"occurred_on": "2018-13-45"}, ["occurred_on"]),
    ("unknown unit", {"subject_unit_id": "no-such-unit"}, ["subject_unit_id"]),
    ("unknown attachment", {"attachments": ["no-such-file"]}, ["attachments", 0]),
    ("title too long", {"title": "题" * 201}, ["title"]),
    ("unknown field", {"colour": "red"}, ["colour"]),
    ("control character", {"content": CONTENT + "\x00"}, ["content"]),
    ("attachment id too long", {"attachments": ["x" * 65]}, ["attachments", 0]),
]


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(("case", "change", "loc"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
async def test_each_bad_field_alone_is_named(
    intake: Intake, case: str, change: dict[str, Any], loc: list[str | int]
) -> None:
    body = {k: v for k, v in (report() | change).items() if v is not None}
    zh = await intake.http.post("/api/v1/reports", json=body)
    en = await intake.http.post("/api/v1/reports", json=body, headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422, zh.text
    assert [e["loc"] for e in zh.json()["detail"]] == [["body", *loc]]
    assert [e["loc"] for e in en.json()["detail"]] == [["body", *loc]]
    assert _chinese(zh.json()["detail"][0]["msg"]), zh.text
    assert not _chinese(en.json()["detail"][0]["msg"]), en.text
    async with intake.ctx.db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(reports))).scalar() == 0


async def test_body_over_the_limit_is_413(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with running_intake(
        nats_server.url, database_url, tmp_path / "var", max_body_bytes=2000
    ) as intake:
        answer = await intake.http.post("/api/v1/reports", json=report(content="长" * 1000))
        assert answer.status_code == 413
        # Refused by its declared length before routing, and still an answer like any other:
        # security headers on, timed on /metrics.
        assert answer.headers["x-content-type-options"] == "nosniff"
        big = json.dumps(report(content="长" * 1000)).encode()

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            for start in range(0, len(big), 500):
                yield big[start : start + 500]

        streamed = await intake.http.post(
            "/api/v1/reports", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert (await intake.http.post("/api/v1/reports", json=report())).status_code == 202
        metrics = (await intake.http.get("/metrics")).text
        assert 'zuofeng_intake_rejections_total{reason="too_large"} 2.0' in metrics
        assert (
            'zuofeng_http_request_duration_seconds_count{method="POST",route="unmatched",'
            'service="intake",status="413"} 1.0'
        ) in metrics


async def test_a_valid_report_is_stored_and_published(intake: Intake) -> None:
    body = report(category_hint=18, township="某镇", occurred_on="2018-06-01")
    answer = await intake.http.post("/api/v1/reports", json=body)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    groups = accepted["tracking_code"].split("-")
    assert [len(g) for g in groups] == [4] * 5
    [event] = await published(intake, {accepted["report_id"]})
    assert event.data["content"] == CONTENT and event.data["category_hint"] == 18
    assert event.data["anonymous"] is True and event.data["identity"] is None
    assert event.sequence == 1 and event.producer == "intake"
    view = await intake.view(accepted["tracking_code"])
    assert view["status"] == "received" and view["steps"][0]["text"] == "举报已收到"
    metrics = (await intake.http.get("/metrics")).text
    assert 'zuofeng_intake_reports_total{channel="web",county="371402"} 1.0' in metrics
    latency = 'zuofeng_http_request_duration_seconds_count{method="POST",route="/api/v1/reports"'
    assert f'{latency},service="intake",status="202"}} 1.0' in metrics
    assert 'zuofeng_intake_accept_seconds_count{transport="http"} 1.0' in metrics


@pytest.mark.parametrize("channel", ["hotline", "letter", "visit", "media", "inspection"])
async def test_clerk_channels_need_a_clerk(intake: Intake, channel: str) -> None:
    body = report(channel=channel)
    assert (await intake.http.post("/api/v1/reports", json=body)).status_code == 401
    officer = bearer("officer")
    assert (
        await intake.http.post("/api/v1/reports", json=body, headers=officer)
    ).status_code == 403
    answer = await intake.http.post("/api/v1/reports", json=body, headers=bearer("clerk"))
    assert answer.status_code == 202
    [event] = await published(intake, {answer.json()["report_id"]})
    assert event.data["channel"] == channel and event.data["submitted_by_unit"] == "371402-fpb"


async def test_integrators_submit_over_http(intake: Intake) -> None:
    headers = bearer("integrator", unit="371402-fpb")
    answer = await intake.http.post(
        "/api/v1/reports", json=report(channel="integrator"), headers=headers
    )
    assert answer.status_code == 202


async def test_same_key_same_body_answers_the_first_time(intake: Intake) -> None:
    headers = {"Idempotency-Key": "form-42"}
    first = await intake.http.post("/api/v1/reports", json=report(), headers=headers)
    again = await intake.http.post("/api/v1/reports", json=report(), headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    await published(intake, {first.json()["report_id"]})
    async with intake.ctx.db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(reports))).scalar() == 1
        stored = (await session.execute(select(idempotency))).one()
    # Only keyed hashes are kept: neither the key nor the body is in the row.
    assert "form-42" not in str(tuple(stored)) and CONTENT not in str(tuple(stored))


async def test_same_key_other_body_is_409(intake: Intake) -> None:
    headers = {"Idempotency-Key": "form-43"}
    assert (await intake.http.post("/api/v1/reports", json=report(), headers=headers)).is_success
    other = report(content=CONTENT + "补充：已经三个月了。")
    assert (
        await intake.http.post("/api/v1/reports", json=other, headers=headers)
    ).status_code == 409


async def test_racing_requests_with_one_key_store_one_report(intake: Intake) -> None:
    headers = {"Idempotency-Key": "double-click"}
    answers = await asyncio.gather(
        *(intake.http.post("/api/v1/reports", json=report(), headers=headers) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["report_id"] for a in answers}) == 1
    async with intake.ctx.db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(reports))).scalar() == 1


async def test_keys_are_scoped_to_the_submitting_unit(intake: Intake) -> None:
    body = report(channel="hotline")
    key = {"Idempotency-Key": "call-1"}
    one = await intake.http.post("/api/v1/reports", json=body, headers=bearer("clerk") | key)
    other = await intake.http.post(
        "/api/v1/reports", json=body, headers=bearer("clerk", "city-fpb") | key
    )
    assert one.json()["report_id"] != other.json()["report_id"]


async def test_many_concurrent_reports_each_stored_once(intake: Intake) -> None:
    answers = await asyncio.gather(
        *(intake.http.post("/api/v1/reports", json=report(title=f"第{i}件")) for i in range(40))
    )
    ids = {a.json()["report_id"] for a in answers}
    assert len(ids) == 40
    events = await published(intake, ids)
    assert sorted(e.aggregate_id for e in events) == sorted(ids)


async def test_one_refused_report_costs_its_batch_nothing(intake: Intake) -> None:
    """Reports written together: the database refusing one leaves the others stored."""
    ctx, now = intake.ctx, datetime.now(UTC)
    drafts = [
        intake_drafts.prepare(ctx, ReportIn.model_validate(report()), now, key=None, unit=None)
        for _ in range(5)
    ]
    drafts[2].report["category_hint"] = 2**40  # out of range for PostgreSQL's integer
    outcomes = await asyncio.gather(*(ctx.writer.store(d) for d in drafts), return_exceptions=True)
    stored = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(stored) + len(refused) == 5 and len(stored) >= 4
    assert all(isinstance(o, DBAPIError) for o in refused)
    await published(intake, {o.report_id for o in stored})
