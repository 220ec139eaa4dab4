"""The public pages over HTTP in-process (no browser): the form refuses bad input field by field
in zh-CN and stores nothing, files are checked before anything is stored, the receipt's code
tracks the report, codes are read leniently, and a flood from one client is slowed without
blocking another."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from altcha import solve_challenge_v1
from sqlalchemy import func, select

from services.intake.models import attachments, reports
from shared.events.cases import CaseAccepted, CaseOpened, DeadlineInfo
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_intake_harness import CONTENT, Intake, running_intake

pytestmark = pytest.mark.integration
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
FORM = {"county": "371402", "content": CONTENT, "identity": "anonymous"}


@pytest.fixture
async def intake(nats_server: NatsProcess, tmp_path: Path) -> AsyncIterator[Intake]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}"
    async with running_intake(
        nats_server.url, url, tmp_path / "var", attachment_max_bytes=1000
    ) as running:
        yield running


def errors_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="err" id="([a-z_]+)-err">([^<]*)</p>', html))


def code_of(html: str) -> str:
    found = re.search(r'data-testid="tracking-code">([^<]+)<', html)
    assert found, html
    return found.group(1)


async def count(intake: Intake, table: Any) -> int:
    async with intake.ctx.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_the_form_and_its_links(intake: Intake) -> None:
    page = await intake.http.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert 'href="/exposures"' in page.text and 'data-challenge="' in page.text
    assert "柴胡店镇" in page.text  # the directory's townships, grouped by county
    english = await intake.http.get("/?lang=en")
    assert 'lang="en"' in english.text and "Send report" in english.text
    for asset in ("/static/pages.js", "/static/pow.js", "/static/pages.css"):
        assert (await intake.http.get(asset)).status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"county": ""}, "county", "此字段必填"),
        ({"county": "999999"}, "county", "未知的县市区代码"),
        ({"content": "太短了"}, "content", "内容长度应为"),
        ({"identity": "named"}, "identity", "实名举报请至少填写"),
        ({"identity": "named", "phone": "call me"}, "phone", "电话号码格式不正确"),
        ({"occurred_on": "2999-01-01"}, "occurred_on", "发生日期不能晚于今天"),
        ({"township": "371425-jiaomiao"}, "township", "所选乡镇不属于"),
    ],
)
async def test_wrong_input_shows_field_errors_and_stores_nothing(
    intake: Intake, change: dict[str, str], field: str, message: str
) -> None:
    typed = FORM | {"subject_person": "王某"} | change
    answer = await intake.http.post("/report", data=typed)
    assert answer.status_code == 422
    assert message in errors_of(answer.text)[field]
    assert "王某" in answer.text  # the form keeps what was typed
    assert await count(intake, reports) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("big.jpg", JPEG * 10, "image/jpeg"), "附件不能超过"),
        (("x.exe", b"MZ\x90\x00", "application/octet-stream"), "不接受的文件类型"),
        (("fake.jpg", b"GIF89a....", "image/jpeg"), "文件内容与类型不符"),
    ],
)
async def test_bad_files_are_refused_before_anything_is_stored(
    intake: Intake, upload: tuple[str, bytes, str], message: str
) -> None:
    answer = await intake.http.post("/report", data=FORM, files={"files": upload})
    assert answer.status_code == 422
    assert message in errors_of(answer.text)["files"]
    assert await count(intake, reports) == 0 and await count(intake, attachments) == 0


async def test_the_receipt_code_tracks_the_report(intake: Intake) -> None:
    answer = await intake.http.post(
        "/report", data=FORM, files={"files": ("photo.jpg", JPEG, "image/jpeg")}
    )
    assert answer.status_code == 200, errors_of(answer.text)
    code = code_of(answer.text)
    assert answer.headers["cache-control"] == "no-store"
    assert await count(intake, attachments) == 1
    typed = "  " + code.lower().replace("-", " ").replace("V", "u").replace("v", "u") + " "
    tracked = await intake.http.post("/track", data={"code": typed})
    assert tracked.status_code == 200 and 'data-status="received"' in tracked.text
    unknown = await intake.http.post("/track", data={"code": "2222-2222-2222-2222-2222"})
    assert unknown.status_code == 404 and "查无此举报" in errors_of(unknown.text)["code"]
    early = await intake.http.post("/track/review", data={"code": code, "reason": "不满意"})
    assert "当前不能申请复查" in errors_of(early.text)["reason"]


async def test_the_track_page_shows_the_deadline_the_unit_must_meet(intake: Intake) -> None:
    code = code_of((await intake.http.post("/report", data=FORM)).text)
    async with intake.ctx.db.sessions() as session:
        report_id = (await session.execute(select(reports.c.id))).scalar_one()
    facts = {"case_id": "case-1", "county": "371402", "handling_unit": "371402-fpb",
             "report_id": report_id}  # fmt: skip
    accept = DeadlineInfo(kind="accept_decision", due=datetime(2026, 11, 5, 16, tzinfo=UTC))
    opened = CaseOpened(
        **facts, status="received", version=1, channel="web", received_at=datetime.now(UTC),
        deadlines=(accept,),
    )  # fmt: skip
    await intake.case_event(opened)
    handle = DeadlineInfo(kind="handle", due=datetime(2027, 1, 4, 15, 59, 59, tzinfo=UTC))
    await intake.case_event(
        CaseAccepted(**facts, status="accepted", version=2, deadlines=(handle,))
    )
    page = ""

    async def shown() -> bool:
        nonlocal page
        page = (await intake.http.post("/track", data={"code": code})).text
        return 'data-status="accepted"' in page

    await eventually(shown)
    assert "办理期限：<time" in page and "2027年1月4日</time>" in page  # Asia/Shanghai's day
    english = (await intake.http.post("/track", data={"code": code, "lang": "en"})).text
    assert "Handling deadline：<time" in english and "2027-01-04</time>" in english


async def test_a_flood_from_one_client_is_slowed_not_others(
    nats_server: NatsProcess, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'flood.db'}"
    limits = {"public_submit_rate": 0.001, "public_submit_burst": 5}
    limits |= {"page_unsolved_rate": 0.001, "page_unsolved_burst": 2}
    async with running_intake(nats_server.url, url, tmp_path / "var", **limits) as intake:
        answers = [(await intake.http.post("/report", data=FORM)).status_code for _ in range(4)]
        assert answers == [200, 200, 429, 429]  # without the proof of work: two, then wait
        other = httpx.ASGITransport(app=intake.app, client=("192.0.2.7", 5000))
        async with httpx.AsyncClient(transport=other, base_url="http://intake") as http:
            assert (await http.post("/report", data=FORM)).status_code == 200
        refused = await intake.http.post("/report", data=FORM)
        assert "请求过于频繁" in refused.text and CONTENT in refused.text


async def test_a_solved_challenge_passes_the_stricter_rate_once(
    nats_server: NatsProcess, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pow.db'}"
    limits = {"page_unsolved_rate": 0.001, "page_unsolved_burst": 1, "page_pow_max_number": 500}
    async with running_intake(nats_server.url, url, tmp_path / "var", **limits) as intake:
        assert (await intake.http.post("/report", data=FORM)).status_code == 200
        assert (await intake.http.post("/report", data=FORM)).status_code == 429
        solved = FORM | {"altcha": await solution(intake)}
        assert (await intake.http.post("/report", data=solved)).status_code == 200
        assert (await intake.http.post("/report", data=solved)).status_code == 429  # spent


async def solution(intake: Intake) -> str:
    """What static/pow.js computes in the browser, by the library's own solver."""
    page = (await intake.http.get("/")).text
    found = re.search(r'data-challenge="([^"]+)"', page)
    assert found
    challenge = json.loads(html.unescape(found.group(1)))
    number = solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxNumber"]
    )
    assert number is not None
    payload = challenge | {"number": number.number}
    del payload["maxNumber"]
    return base64.b64encode(json.dumps(payload).encode()).decode()
