"""The answers a refused upload or import gets, pinned byte for byte (status, body, headers, zh
and en) with the rejection each one counts, so the refusals can change type without a client
noticing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.natsserver import NatsProcess
from tests.integration.test_intake_files import PNG, ROWS, as_csv
from tests.integration.test_intake_harness import Intake, bearer, running_intake

pytestmark = pytest.mark.integration
ZH: dict[str, str] = {}
EN = {"Accept-Language": "en"}


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(
        nats_server.url,
        database_url,
        tmp_path / "var",
        attachment_max_bytes=10_000,
        import_max_rows=50,
    ) as running:
        yield running


async def upload(intake: Intake, data: bytes, kind: str, headers: dict[str, str]) -> Any:
    files = {"file": ("evidence", data, kind)}
    return await intake.http.post("/api/v1/attachments", files=files, headers=headers)


async def import_file(intake: Intake, name: str, data: bytes, headers: dict[str, str]) -> Any:
    return await intake.http.post(
        "/api/v1/reports/import",
        files={"file": (name, data)},
        headers={**bearer("clerk"), **headers},
    )


def file_error(msg: str) -> bytes:
    head = '{"detail":[{"loc":["body","file"],"msg":"'
    return (head + msg + '","type":"value_error"}]}').encode()


def plain(text: str) -> bytes:
    return ('{"detail":"' + text + '"}').encode()


UPLOADS = [
    (b"MZ\x90\x00", "application/x-msdownload", ZH, 422,
     file_error("不接受的文件类型：application/x-msdownload")),
    (b"MZ\x90\x00", "application/x-msdownload", EN, 422,
     file_error("file type not accepted: application/x-msdownload")),
    (b"", "text/plain", ZH, 422, file_error("文件为空")),
    (b"", "text/plain", EN, 422, file_error("the file is empty")),
    (b"MZ\x90\x00" * 10, "image/png", ZH, 422, file_error("文件内容与类型不符")),
    (b"MZ\x90\x00" * 10, "image/png", EN, 422, file_error("the file's content is not image/png")),
    (PNG + b"\x00" * 10_000, "image/png", ZH, 413, plain("附件不能超过 10000 字节")),
    (PNG + b"\x00" * 10_000, "image/png", EN, 413, plain("file exceeds 10000 bytes")),
]  # fmt: skip


@pytest.mark.parametrize(("data", "kind", "headers", "status", "body"), UPLOADS)
async def test_a_refused_upload_answers_as_before(
    intake: Intake, data: bytes, kind: str, headers: dict[str, str], status: int, body: bytes
) -> None:
    answer = await upload(intake, data, kind, headers)
    assert (answer.status_code, answer.content) == (status, body)
    assert "retry-after" not in answer.headers and "www-authenticate" not in answer.headers
    reason = "invalid_file" if status == 422 else "too_large"
    metrics = (await intake.http.get("/metrics")).text
    assert f'zuofeng_intake_rejections_total{{reason="{reason}"}} 1.0' in metrics
    assert "invalid_body" not in metrics and 'reason="invalid_other"' not in metrics


IMPORTS = [
    ("x.csv", b"county,title\n371402,x\n", ZH, 422, file_error("缺少必需的列：content")),
    ("x.csv", b"county,title\n371402,x\n", EN, 422,
     file_error("required columns missing: content")),
    ("x.csv", b"", ZH, 422, file_error("文件没有表头")),
    ("x.csv", b"", EN, 422, file_error("the file has no header row")),
    ("x.xlsx", b"not a workbook", ZH, 422, file_error("无法读取 XLSX 文件")),
    ("x.csv", as_csv([ROWS[0]] * 51), ZH, 413, plain("一次最多导入 50 行")),
    ("x.csv", as_csv([ROWS[0]] * 51), EN, 413, plain("at most 50 rows")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "headers", "status", "body"), IMPORTS)
async def test_a_refused_import_answers_as_before(
    intake: Intake, name: str, data: bytes, headers: dict[str, str], status: int, body: bytes
) -> None:
    answer = await import_file(intake, name, data, headers)
    assert (answer.status_code, answer.content) == (status, body)
    assert "retry-after" not in answer.headers and "www-authenticate" not in answer.headers
    reason = "invalid_file" if status == 422 else "too_large"
    metrics = (await intake.http.get("/metrics")).text
    assert f'zuofeng_intake_rejections_total{{reason="{reason}"}} 1.0' in metrics
    assert 'reason="invalid_other"' not in metrics


async def test_an_unreadable_workbook_names_why_in_english(intake: Intake) -> None:
    answer = await import_file(intake, "x.xlsx", b"not a workbook", EN)
    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert list(error) == ["loc", "msg", "type"]
    assert error["msg"].startswith("cannot read the XLSX file: ")
