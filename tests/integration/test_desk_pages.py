"""The clerk's desk pages over HTTP in-process (real intake, NATS, database): who may use them,
the county fence, the form token, a hotline call entered with the caller's name and phone sealed
by the API's own path, an import's per-row results, one report for a form sent twice."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.intake.models import reports
from shared import sealing
from shared.events.intake import SealedIdentity
from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import (
    CONTENT,
    Intake,
    published,
    raw_messages,
    running_intake,
)
from tests.officials_desk import Signed, signed_in

pytestmark = pytest.mark.integration
NAME, PHONE = "欧阳明月", "13912345678"
OWN, OTHER = "371402-fpb", "371403-fpb"


@pytest.fixture
async def intake(nats_server: NatsProcess, tmp_path: Path) -> AsyncIterator[Intake]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_intake(nats_server.url, url, tmp_path / "var") as running:
        yield running


async def sign(intake: Intake, role: str, unit: str = OWN) -> Signed:
    return await signed_in(intake.js, intake.settings, unit, role)


async def stored(intake: Intake) -> int:
    async with intake.ctx.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(reports))).scalar_one())


def nonce_of(html: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def code_of(html: str) -> str:
    found = re.search(r'data-testid="tracking-code"><strong>([^<]+)<', html)
    assert found, html
    return found.group(1)


def call(clerk: Signed, **changes: str) -> dict[str, str]:
    return {
        "csrf": clerk.csrf,
        "channel": "hotline",
        "county": "371402",
        "content": CONTENT,
        "identity": "named",
        "name": NAME,
        "phone": PHONE,
    } | changes


async def test_signed_out_goes_to_sign_in(intake: Intake) -> None:
    for path in ("/desk", "/desk/import"):
        answer = await intake.http.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/signin?next=%2Fdesk{path[5:].replace('/', '%2F')}"
    posted = await intake.http.post("/desk", data={"content": CONTENT})
    assert posted.status_code == 303 and await stored(intake) == 0


@pytest.mark.parametrize("role", ["officer", "leader", "inspector", "auditor"])
async def test_other_roles_are_refused_on_the_page(intake: Intake, role: str) -> None:
    official = await sign(intake, role)
    for path in ("/desk", "/desk/import"):
        page = await intake.http.get(path, headers=official.headers)
        assert page.status_code == 403 and "无权使用来件登记" in page.text
        assert 'action="/desk' not in page.text  # no form
    posted = await intake.http.post("/desk", data=call(official), headers=official.headers)
    assert posted.status_code == 403 and await stored(intake) == 0


async def test_a_hotline_call_is_sealed_as_the_api_seals_it(intake: Intake) -> None:
    clerk = await sign(intake, "clerk")
    page = await intake.http.get("/desk", headers=clerk.headers)
    assert page.status_code == 200 and f'value="{clerk.csrf}"' in page.text
    assert 'href="/desk"' in page.text and 'aria-current="page"' in page.text  # the frame's nav
    # Their own county only: the other county is not offered.
    assert 'value="371402"' in page.text and 'value="371403"' not in page.text
    form = call(clerk, nonce=nonce_of(page.text))
    answer = await intake.http.post("/desk", data=form, headers=clerk.headers)
    assert answer.status_code == 200, answer.text
    code = code_of(answer.text)
    assert NAME not in answer.text and PHONE not in answer.text
    view = (await intake.http.get(f"/api/v1/reports/{code}")).json()
    assert view["status"] == "received"
    # Sent again (a reload): the same report, the same code.
    again = await intake.http.post("/desk", data=form, headers=clerk.headers)
    assert code_of(again.text) == code and await stored(intake) == 1
    async with intake.ctx.db.sessions() as session:
        report_id = (await session.execute(select(reports.c.id))).scalar_one()
    [event] = await published(intake, {report_id})
    assert event.data["channel"] == "hotline" and event.data["submitted_by_unit"] == OWN
    for msg in await raw_messages(intake.js, intake.since):
        assert NAME.encode() not in msg.data and PHONE.encode() not in msg.data
    key = sealing.ensure_keypair(intake.settings.resolved_keys_dir, "discipline")
    sealed = SealedIdentity.model_validate(event.data["identity"])
    opened = sealing.open_identity(sealed, "discipline", key, report_id=event.data["report_id"])
    assert opened == {"name": NAME, "phone": PHONE}


async def test_field_errors_and_the_county_fence(intake: Intake) -> None:
    clerk = await sign(intake, "clerk")
    short = await intake.http.post("/desk", data=call(clerk, content="太短"), headers=clerk.headers)
    assert short.status_code == 422 and 'id="content-err"' in short.text
    assert "内容长度应为" in short.text and 'value="' + NAME + '"' in short.text  # kept
    # Another county's clerk may not enter reports for this county: refused on the page.
    other = await sign(intake, "clerk", OTHER)
    foreign = await intake.http.post("/desk", data=call(other), headers=other.headers)
    assert foreign.status_code == 403 and "不能提交县市区 371402 的举报" in foreign.text
    assert await stored(intake) == 0


async def test_forms_without_the_token_are_refused(intake: Intake) -> None:
    clerk = await sign(intake, "clerk")
    other = await sign(intake, "clerk")  # another session's token is no better
    for csrf in ("", other.csrf):
        answer = await intake.http.post("/desk", data=call(clerk, csrf=csrf), headers=clerk.headers)
        assert answer.status_code == 403 and "表单已过期" in answer.text
        imported = await intake.http.post(
            "/desk/import",
            data={"csrf": csrf},
            files={"file": ("f.csv", _csv())},
            headers=clerk.headers,
        )
        assert imported.status_code == 403 and "表单已过期" in imported.text
    assert await stored(intake) == 0


def _csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["县市区代码", "内容", "举报人电话"])
    writer.writerow(["371402", CONTENT, ""])
    writer.writerow(["371402", "短", "call me"])
    writer.writerow(["371403", CONTENT, ""])  # another county's
    return out.getvalue().encode("utf-8")


async def test_an_import_shows_each_rows_result(intake: Intake) -> None:
    clerk = await sign(intake, "clerk")
    page = await intake.http.get("/desk/import", headers=clerk.headers)
    form = {"csrf": clerk.csrf, "nonce": nonce_of(page.text)}
    answer = await intake.http.post(
        "/desk/import", data=form, files={"file": ("f.csv", _csv())}, headers=clerk.headers
    )
    assert answer.status_code == 200, answer.text
    rows = dict(re.findall(r'data-testid="row-(\d+)" data-accepted="(yes|no)"', answer.text))
    assert rows == {"2": "yes", "3": "no", "4": "no"}
    assert "共 3 行：受理 1 行，未受理 2 行。" in answer.text
    assert "reporter_phone：电话号码格式不正确" in answer.text  # zh-CN, by column
    assert "不能提交县市区 371403 的举报" in answer.text
    again = await intake.http.post(
        "/desk/import", data=form, files={"file": ("f.csv", _csv())}, headers=clerk.headers
    )
    assert again.status_code == 200 and await stored(intake) == 1  # the same form: no new rows
    empty = await intake.http.post(
        "/desk/import", data={"csrf": clerk.csrf}, files={"file": ("x.csv", b"")},
        headers=clerk.headers,
    )  # fmt: skip
    assert empty.status_code == 422 and 'id="file-err"' in empty.text
