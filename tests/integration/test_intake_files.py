"""Attachments (typed, size-limited, stored by content hash, referenced by sha256 in the event)
and bulk import of findings in CSV and XLSX with mixed good and bad rows."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from services.intake.models import reports
from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import (
    CONTENT,
    Intake,
    bearer,
    published,
    report,
    running_intake,
)
from tests.unit.test_intake_units import spanning

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"x" * 300


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


async def upload(intake: Intake, data: bytes, kind: str, **headers: str) -> Any:
    files = {"file": ("evidence", data, kind)}
    return await intake.http.post("/api/v1/attachments", files=files, headers=headers)


async def test_attachment_is_stored_by_hash_and_referenced(intake: Intake) -> None:
    answer = await upload(intake, PNG, "image/png")
    assert answer.status_code == 201, answer.text
    sha = hashlib.sha256(PNG).hexdigest()
    assert answer.json()["sha256"] == sha
    stored = intake.settings.resolved_attachments_dir / sha[:2] / sha
    assert stored.read_bytes() == PNG
    again = await upload(intake, PNG, "image/png")  # same bytes: one file, another id
    assert again.json()["attachment_id"] != answer.json()["attachment_id"]
    assert len(list(stored.parent.iterdir())) == 1
    ids = [answer.json()["attachment_id"], (await upload(intake, PDF, "application/pdf")).json()]
    body = report(attachments=[ids[0], ids[1]["attachment_id"]])
    accepted = (await intake.http.post("/api/v1/reports", json=body)).json()
    [event] = await published(intake, {accepted["report_id"]})
    refs = event.data["attachments"]
    assert [r["sha256"] for r in refs] == [sha, hashlib.sha256(PDF).hexdigest()]
    assert refs[0]["content_type"] == "image/png" and refs[0]["size"] == len(PNG)
    assert "iVBOR" not in str(event.data)  # no bytes on the bus, not even base64


async def test_attachment_limits(intake: Intake) -> None:
    too_big = await upload(intake, PNG + b"\x00" * 10_000, "image/png")
    assert too_big.status_code == 413
    exe = await upload(intake, b"MZ\x90\x00", "application/x-msdownload")
    assert exe.status_code == 422 and exe.json()["detail"][0]["loc"] == ["body", "file"]
    disguised = await upload(intake, b"MZ\x90\x00" * 10, "image/png")
    assert disguised.status_code == 422
    empty = await upload(intake, b"", "text/plain", **{"Accept-Language": "en"})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"][0]["msg"]
    assert not list(intake.settings.resolved_attachments_dir.glob("*/*"))


ROWS: list[dict[str, Any]] = [
    {
        "county": "371402",
        "content": CONTENT,
        "category_hint": 18,
        "reporter_name": "李四",
        "reporter_phone": "13912345678",
    },
    {"county": "999999", "content": CONTENT},  # unknown county
    {"county": "371402", "content": "短"},  # content too short
    {"county": "371402", "content": CONTENT, "channel": "visit", "occurred_on": "2018-05-02"},
    {"county": "371402", "content": CONTENT, "reporter_phone": "not a phone"},
]


def as_csv(rows: list[dict[str, Any]], encoding: str = "utf-8") -> bytes:
    columns = [
        "county",
        "content",
        "channel",
        "category_hint",
        "occurred_on",
        "reporter_name",
        "reporter_phone",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["县市区代码", "内容", "channel", "问题编号", "occurred_on", "举报人姓名", "举报人电话"]
    )
    for row in rows:
        sheet.append(
            [
                int(row["county"]),  # a spreadsheet keeps codes as numbers
                row["content"],
                row.get("channel"),
                row.get("category_hint"),
                row.get("occurred_on"),
                row.get("reporter_name"),
                row.get("reporter_phone"),
            ]
        )
    sheet.append([None] * 7)  # trailing blank rows are not rows
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("findings.csv", as_csv(ROWS)),
        ("findings-gbk.csv", as_csv(ROWS, "gb18030")),
        ("findings.xlsx", as_xlsx(ROWS)),
    ],
)
async def test_import_mixed_rows(intake: Intake, name: str, data: bytes) -> None:
    answer = await intake.http.post(
        "/api/v1/reports/import", files={"file": (name, data)}, headers=bearer("clerk")
    )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6]
    good = [r for r in rows if "report_id" in r and r["report_id"]]
    assert [r["row"] for r in good] == [2, 5]
    assert [e["loc"] for e in rows[1]["errors"]] == [["county"]]
    assert [e["loc"] for e in rows[2]["errors"]] == [["content"]]
    assert [e["loc"] for e in rows[4]["errors"]] == [["reporter_phone"]]
    events = await published(intake, {r["report_id"] for r in good})
    by_id = {e.aggregate_id: e.data for e in events}
    first = by_id[good[0]["report_id"]]
    assert first["channel"] == "inspection" and first["category_hint"] == 18
    assert first["anonymous"] is False and first["reporter_index"]
    assert by_id[good[1]["report_id"]]["channel"] == "visit"
    async with intake.ctx.db.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(reports))).scalar()
    assert count == 2  # bad rows left nothing behind


async def test_import_again_with_the_same_key_answers_the_same(intake: Intake) -> None:
    headers = bearer("clerk") | {"Idempotency-Key": "inspection-batch-7"}
    files = {"file": ("findings.csv", as_csv(ROWS))}
    first = await intake.http.post("/api/v1/reports/import", files=files, headers=headers)
    again = await intake.http.post("/api/v1/reports/import", files=files, headers=headers)
    assert first.json() == again.json()


async def test_import_needs_a_clerk_and_a_readable_file(intake: Intake) -> None:
    files = {"file": ("findings.csv", as_csv(ROWS))}
    assert (await intake.http.post("/api/v1/reports/import", files=files)).status_code == 401
    officer = await intake.http.post(
        "/api/v1/reports/import", files=files, headers=bearer("officer")
    )
    assert officer.status_code == 403
    no_content = {"file": ("x.csv", b"county,title\n371402,x\n")}
    answer = await intake.http.post(
        "/api/v1/reports/import", files=no_content, headers=bearer("clerk")
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "file"]
    many = {"file": ("x.csv", as_csv([ROWS[0]] * 51))}
    answer = await intake.http.post("/api/v1/reports/import", files=many, headers=bearer("clerk"))
    assert answer.status_code == 413


async def test_a_sheet_declaring_every_cell_imports_its_rows(intake: Intake) -> None:
    # A few kilobytes whose one stray cell makes the sheet span A1:XFD1048576.
    data = spanning("XFD1048576")
    answer = await intake.http.post(
        "/api/v1/reports/import", files={"file": ("bomb.xlsx", data)}, headers=bearer("clerk")
    )
    assert answer.status_code == 200, answer.text
    assert [row["row"] for row in answer.json()["rows"] if row.get("report_id")] == [2, 3]
    many = spanning("A60", rows=51)  # one past the limit: refused as today
    answer = await intake.http.post(
        "/api/v1/reports/import", files={"file": ("many.xlsx", many)}, headers=bearer("clerk")
    )
    assert answer.status_code == 413


# The answers a refused upload or import gets, pinned byte for byte (status, body, headers, zh
# and en) with the rejection each one counts: status and texts stayed the same when the refusals
# became shared.errors.Refusal; the keys now come in the order of every other 422.
ZH: dict[str, str] = {}
EN = {"Accept-Language": "en"}
ATTACHMENTS, IMPORT = "/api/v1/attachments", "/api/v1/reports/import"


def file_error(msg: str) -> bytes:
    head = '{"detail":[{"loc":["body","file"],"type":"value_error","msg":"'
    return (head + msg + '"}]}').encode()


def plain(text: str) -> bytes:
    return ('{"detail":"' + text + '"}').encode()


REFUSED_FILES = [
    (ATTACHMENTS, ("e", b"MZ\x90\x00", "application/x-msdownload"), ZH, 422,
     file_error("不接受的文件类型：application/x-msdownload")),
    (ATTACHMENTS, ("e", b"MZ\x90\x00", "application/x-msdownload"), EN, 422,
     file_error("file type not accepted: application/x-msdownload")),
    (ATTACHMENTS, ("e", b"", "text/plain"), ZH, 422, file_error("文件为空")),
    (ATTACHMENTS, ("e", b"", "text/plain"), EN, 422, file_error("the file is empty")),
    (ATTACHMENTS, ("e", b"MZ\x90\x00" * 10, "image/png"), ZH, 422,
     file_error("文件内容与类型不符")),
    (ATTACHMENTS, ("e", b"MZ\x90\x00" * 10, "image/png"), EN, 422,
     file_error("the file's content is not image/png")),
    (ATTACHMENTS, ("e", PNG + b"\x00" * 10_000, "image/png"), ZH, 413,
     plain("附件不能超过 10000 字节")),
    (ATTACHMENTS, ("e", PNG + b"\x00" * 10_000, "image/png"), EN, 413,
     plain("file exceeds 10000 bytes")),
    (IMPORT, ("x.csv", b"county,title\n371402,x\n"), ZH, 422,
     file_error("缺少必需的列：content")),
    (IMPORT, ("x.csv", b"county,title\n371402,x\n"), EN, 422,
     file_error("required columns missing: content")),
    (IMPORT, ("x.csv", b""), ZH, 422, file_error("文件没有表头")),
    (IMPORT, ("x.csv", b""), EN, 422, file_error("the file has no header row")),
    (IMPORT, ("x.xlsx", b"not a workbook"), ZH, 422, file_error("无法读取 XLSX 文件")),
    (IMPORT, ("x.csv", as_csv([ROWS[0]] * 51)), ZH, 413, plain("一次最多导入 50 行")),
    (IMPORT, ("x.csv", as_csv([ROWS[0]] * 51)), EN, 413, plain("at most 50 rows")),
]  # fmt: skip


@pytest.mark.parametrize(("path", "file", "language", "status", "body"), REFUSED_FILES)
async def test_a_refused_file_answers_as_before(
    intake: Intake,
    path: str,
    file: tuple[Any, ...],
    language: dict[str, str],
    status: int,
    body: bytes,
) -> None:
    headers = {**language, **(bearer("clerk") if path == IMPORT else {})}
    answer = await intake.http.post(path, files={"file": file}, headers=headers)
    assert (answer.status_code, answer.content) == (status, body)
    assert "retry-after" not in answer.headers and "www-authenticate" not in answer.headers
    reason = "invalid_file" if status == 422 else "too_large"
    metrics = (await intake.http.get("/metrics")).text
    assert f'zuofeng_intake_rejections_total{{reason="{reason}"}} 1.0' in metrics
    assert 'reason="invalid_other"' not in metrics


async def test_an_unreadable_workbook_names_why_in_english(intake: Intake) -> None:
    answer = await intake.http.post(
        IMPORT, files={"file": ("x.xlsx", b"not a workbook")}, headers={**bearer("clerk"), **EN}
    )
    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert list(error) == ["loc", "type", "msg"]
    assert error["msg"].startswith("cannot read the XLSX file: ")
