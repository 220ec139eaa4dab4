"""The inputs that crashed a service with a 500 (issue 19), on the real database: integers
past what PostgreSQL's `integer` holds, and a NUL in a text parameter, are the caller's 422,
in the one refusal shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from nats.js import JetStreamContext

from shared.natsserver import NatsProcess
from tests.integration.notify_harness import bus, notify_settings, running_notify, token_header
from tests.integration.test_cases_harness import CITY, Clock, cases_running, own_nats

pytestmark = pytest.mark.integration
__all__ = ["bus", "own_nats"]
TOO_BIG = "9223372036854775808"


async def test_cases_refuses_a_problem_code_past_the_column(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as running:
        for value in (TOO_BIG, str(2**31), "-1"):
            answer = await running.http.get(f"/api/v1/cases?problem={value}", headers=CITY)
            assert answer.status_code == 422, answer.text
            (problem,) = answer.json()["detail"]
            assert problem["loc"] == ["query", "problem"]
            assert problem["msg"].startswith("应不")  # zh-CN first: 应不大于/应不小于
        largest = await running.http.get(f"/api/v1/cases?problem={2**31 - 1}", headers=CITY)
        assert largest.status_code == 200, largest.text
        assert largest.json()["total"] == 0
        # A cursor that is not ours: the same shape, with its type, zh-CN first.
        bad = await running.http.get("/api/v1/cases?cursor=nope", headers=CITY)
        assert bad.status_code == 422
        assert bad.json()["detail"] == [
            {"loc": ["query", "cursor"], "type": "value_error", "msg": "翻页游标无效"}
        ]
        english = await running.http.get(
            "/api/v1/cases?cursor=nope", headers={**CITY, "Accept-Language": "en"}
        )
        assert english.json()["detail"][0]["msg"] == "bad cursor"


async def test_cases_refuses_a_nul_in_a_text_filter(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    """The fuzzer's 500 (stateful phase, GET /api/v1/cases?status=...%00...): PostgreSQL refuses
    NUL in text (SQLSTATE 22021) and the asyncpg adapter passed it on as a plain error."""
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as running:
        for name in ("status", "county", "unit", "q"):
            answer = await running.http.get(f"/api/v1/cases?{name}=a%00b", headers=CITY)
            if database_url.startswith("sqlite"):  # SQLite keeps NUL in text: nothing matches
                assert answer.status_code == 200, answer.text
                assert answer.json()["total"] == 0
                continue
            assert answer.status_code == 422, (name, answer.text)
            assert answer.json()["detail"] == [
                {"loc": ["query"], "msg": "参数取值超出范围或格式不正确", "type": "value_error"}
            ]
        fine = await running.http.get("/api/v1/cases?status=a", headers=CITY)
        assert fine.status_code == 200, fine.text


async def test_notify_refuses_an_inbox_cursor_past_the_column(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    officer = token_header("371402-fpb", "officer")
    async with running_notify(settings, js) as (_app, http):
        answer = await http.get(f"/api/v1/inbox?cursor={TOO_BIG}", headers=officer)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"] == ["query", "cursor"]
        english = await http.get(
            f"/api/v1/inbox?cursor={TOO_BIG}", headers={**officer, "Accept-Language": "en"}
        )
        assert english.json()["detail"][0]["msg"].startswith("Input should be less than")
        read = await http.post(f"/api/v1/inbox/{TOO_BIG}/read", headers=officer)
        assert read.status_code == 422, read.text
        fine = await http.get(f"/api/v1/inbox?cursor={2**31 - 1}", headers=officer)
        assert fine.status_code == 200, fine.text
