"""Intake's pure pieces: rate limiter, batch planning, import parsing, public wording, the
review window, file sniffing, phone rules."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from pydantic import ValidationError

from services.intake.attachments.checks import FILE_AT, looks_like
from services.intake.importing import cells, columns, table
from services.intake.limits.buckets import RateLimiter, UploadQuota
from services.intake.limits.clients import client_key, proxy_hosts
from services.intake.public_status.case_values import review_window
from services.intake.refusals import IDEMPOTENCY
from services.intake.reporter_view import review_open
from services.intake.schemas.reporter import Reporter
from services.intake.settings import IntakeSettings
from services.intake.status_steps import step_texts
from services.intake.writer.plan import Draft, Stored, plan
from shared import sealing
from shared.deadlines import load_profiles
from shared.errors import Refusal
from shared.events import make_event
from shared.events.cases import CaseClosed, CaseExtensionDecided, CaseReopened
from tests.factories import SAFE_PRODUCTION, report_received


@contextmanager
def refused_file() -> Iterator[None]:
    """The file as a whole is refused: a 422 that names the uploaded file."""
    with pytest.raises(Refusal) as refused:
        yield
    assert (refused.value.status, refused.value.loc) == (422, FILE_AT)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_a_burst_then_refills() -> None:
    clock = FakeTime()
    limiter = RateLimiter(rate=1.0, burst=3, clock=clock)
    assert [limiter.retry_after("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.retry_after("a") == pytest.approx(1.0)
    assert limiter.retry_after("b") == 0.0  # per client
    clock.now = 2.0
    assert limiter.retry_after("a") == 0.0
    assert RateLimiter(rate=0, burst=1).retry_after("a") == 0.0  # 0: no limit


def draft(key: str | None, body: str) -> Draft:
    envelope = report_received()
    return Draft(envelope.aggregate_id, {}, {}, envelope, body_hash=body, key_hash=key)


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2::a", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        (None, "unknown"),
    ],
)
def test_clients_are_keyed_by_address_and_ipv6_by_slash_64(host: str | None, key: str) -> None:
    assert client_key(host) == key


def test_trusted_proxies_are_networks_or_startup_fails() -> None:
    settings = IntakeSettings(trusted_proxies="10.0.0.0/8, 192.0.2.1,2001:db8::/48")
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.0.2.1/32", "2001:db8::/48")
    assert "::ffff:10.0.0.0/104" in proxy_hosts(settings.trusted_proxies)
    with pytest.raises(ValueError, match="ZUOFENG_INTAKE_TRUSTED_PROXIES"):
        IntakeSettings(trusted_proxies="*")
    with pytest.raises(ValueError, match="ZUOFENG_INTAKE_TRUSTED_PROXIES"):
        IntakeSettings(trusted_proxies="proxy.example")


def test_upload_quota_counts_files_and_bytes_together() -> None:
    quota = UploadQuota(window=100.0, count=2, size=1000)
    clock = FakeTime()
    quota.files.clock = quota.bytes.clock = clock
    assert quota.retry_after("a", 600) == 0
    assert quota.retry_after("a", 600) == pytest.approx(20.0)  # 200 bytes short at 10 B/s
    assert quota.retry_after("a", 300) == 0  # a refused upload took nothing
    assert quota.retry_after("a", 1) == pytest.approx(50.0)  # two files: the count is spent
    assert UploadQuota(window=100.0, count=0, size=0).retry_after("a", 10**9) == 0  # 0: no cap


def test_attachment_caps_are_checked_at_start() -> None:
    with pytest.raises(ValueError, match="ZUOFENG_INTAKE_ATTACHMENT_CLIENT_MAX_BYTES"):
        IntakeSettings(attachment_max_bytes=1000, attachment_client_max_bytes=999)
    with pytest.raises(ValueError, match="ZUOFENG_INTAKE_ATTACHMENT_TOTAL_MAX_BYTES"):
        IntakeSettings(environment="production", jwt_secret="s" * 48, attachment_total_max_bytes=0)


def test_production_needs_the_survey_secret_notify_shares() -> None:
    """A 回访 link opens only with the secret notify minted it with: a local one under var/
    would differ from notify's, so production names the setting."""
    with pytest.raises(ValueError, match="ZUOFENG_INTAKE_SURVEY_SECRET is required"):
        IntakeSettings(**SAFE_PRODUCTION)
    assert IntakeSettings(**SAFE_PRODUCTION, survey_secret="v" * 32).production_problems() == []


def test_plan_answers_replays_and_conflicts_within_and_across_batches() -> None:
    batch = [draft("k1", "b1"), draft("k1", "b1"), draft("k1", "other"), draft(None, "b")]
    batch += [draft("k2", "b2"), draft("k2", "changed")]
    result = plan(batch, {"k2": ("b2", "earlier-report")})
    assert result.fresh == [batch[0], batch[3]]
    assert result.outcomes[1] == Stored(batch[0].report_id, created=False)
    assert _conflict(result.outcomes[2])
    assert result.outcomes[4] == Stored("earlier-report", created=False)
    assert _conflict(result.outcomes[5])


def _conflict(outcome: object) -> bool:
    return isinstance(outcome, Refusal) and outcome.status == 409 and outcome.type == IDEMPOTENCY


def test_csv_with_chinese_headers_in_gb18030() -> None:
    data = "县市区代码,内容,举报人电话,序号\n371402,村里的事,13800138000,1\n,,,\n".encode("gb18030")
    header, rows = table.read_table(data, "x.csv")
    assert header[:3] == ["county", "content", "reporter_phone"]
    assert [number for number, _ in rows] == [2]  # the blank line is no row
    body = cells.row_body(header, rows[0][1])
    assert body == {
        "county": "371402",
        "content": "村里的事",
        "channel": "inspection",
        "reporter": {"anonymous": False, "phone": "13800138000"},
    }


def test_xlsx_cells_become_body_values() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["county", "content", "category_hint", "occurred_on", "subject_is_head"])
    sheet.append([371402, "内容", 18.0, datetime(2018, 5, 2), "是"])
    out = io.BytesIO()
    book.save(out)
    header, rows = table.read_table(out.getvalue(), "upload")
    body = cells.row_body(header, rows[0][1])
    assert body["county"] == "371402" and body["category_hint"] == 18
    assert body["occurred_on"] == "2018-05-02" and body["subject_is_head"] is True


def test_a_table_without_its_required_columns_is_refused() -> None:
    with refused_file():
        table.read_table(b"county,title\n371402,x\n", "x.csv")
    with refused_file():
        table.read_table(b"PK\x03\x04 not really a workbook", "x.xlsx")
    assert columns.column_of(["reporter", "phone"]) == ["reporter_phone"]


def spanning(corner: str, rows: int = 2) -> bytes:
    """A small workbook with one stray cell at `corner`: its sheet declares `A1:<corner>`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["county", "content"])
    for _ in range(rows):
        sheet.append([371402, "村里的低保名额被村干部亲属占了。"])
    sheet[corner] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("corner", ["XFD1600", "XFD1048576"])
def test_a_declared_dimension_costs_nothing(corner: str) -> None:
    data = spanning(corner)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert len(data) < 10_000 and f'<dimension ref="A1:{corner}"'.encode() in sheet
    tracemalloc.start()
    try:
        header, rows = table.read_table(data, "bomb.xlsx", max_rows=2000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, f"peak {peak / 1e6:.0f} MB"
    assert header[:2] == ["county", "content"]
    assert [number for number, _ in rows] == [2, 3]  # the stray cell is past the columns read
    assert all(len(cells) <= table.MAX_COLUMNS for _, cells in rows)


def test_reading_stops_one_row_past_the_limit() -> None:
    header, rows = table.read_table(spanning("C1", rows=50), "many.xlsx", max_rows=10)
    assert [number for number, _ in rows] == list(range(2, 13))  # 11 rows: "too many" is known
    csv_rows = "county,content\n" + "371402,内容内容内容内容\n" * 50
    _, rows = table.read_table(csv_rows.encode(), "many.csv", max_rows=10)
    assert len(rows) == 11


def test_a_sheet_broken_midway_is_a_bad_table() -> None:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(spanning("C3"))) as source,
        zipfile.ZipFile(out, "w") as dest,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the XML stops mid-row
            dest.writestr(item, data)
    with refused_file():
        table.read_table(out.getvalue(), "broken.xlsx")


def test_a_csv_field_past_the_csv_limit_is_a_bad_table() -> None:
    with refused_file():
        table.read_table(b"county,content\n371402," + b"x" * 200_000 + b"\n", "big.csv")


def facts(**extra: object) -> dict[str, object]:
    base = {"case_id": "c", "county": "371402", "status": "accepted", "version": 3,
            "handling_unit": "u"}  # fmt: skip
    return base | extra


def test_public_wording() -> None:
    approved = CaseExtensionDecided(**facts(), approved=True, days=10, public_reason="需取证")
    refused = CaseExtensionDecided(**facts(), approved=False, days=0)
    assert step_texts("case.extension_decided", approved) == (
        "办理期限延长 10 天：需取证",
        "Handling extended by 10 days: 需取证",
    )
    assert step_texts("case.extension_decided", refused) is None
    assert step_texts("case.assigned", approved) is None  # internal moves are not shown


def test_the_review_window_is_the_date_cases_set_in_the_reply() -> None:
    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    # The web channel's profile would give 30 days (end of day, Asia/Shanghai); cases said 15.
    by_profile = load_profiles().for_channel("web").deadline("review_request", at).due
    assert by_profile.date() == date(2026, 3, 31)
    due = datetime(2026, 3, 16, 15, 59, 59, tzinfo=UTC)
    closed = CaseClosed(**facts(status="closed"), review_due=due)
    envelope = make_event(
        closed, county="371402", aggregate_id="c", sequence=3, producer="t", occurred_at=at
    )
    window = review_window(envelope, closed)
    # The event's date wins; a first reply opens no second review (复核) window yet.
    assert window == {"replied_at": at, "review_until": due, "re_review_until": None}
    row = SimpleNamespace(**window)
    assert review_open(row, at + timedelta(days=14))
    assert not review_open(row, at + timedelta(days=16))
    assert not review_open(SimpleNamespace(replied_at=None, review_until=None), at)
    reopened = CaseReopened(**facts(status="investigating", version=4))
    again = make_event(
        reopened, county="371402", aggregate_id="c", sequence=4, producer="t", occurred_at=at
    )
    assert review_window(again, reopened) == {"replied_at": None, "review_until": None}


def test_file_sniffing() -> None:
    assert looks_like("image/png", b"\x89PNG\r\n\x1a\n....")
    assert not looks_like("image/png", b"MZ\x90\x00")
    assert looks_like("text/plain", "证据说明".encode()[:7])  # cut mid-character is fine
    assert not looks_like("application/x-msdownload", b"MZ")


@pytest.mark.parametrize("phone", ["13800138000", "+86 138-0013-8000", "0534-2612345"])
def test_phones_that_pass(phone: str) -> None:
    assert Reporter(anonymous=False, phone=phone).phone == phone


@pytest.mark.parametrize("phone", ["123", "call me", "+86 138-0013-8000-0000-0000"])
def test_phones_that_fail(phone: str) -> None:
    with pytest.raises(ValidationError):
        Reporter(anonymous=False, phone=phone)


def test_public_key_without_creating_in_production(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        sealing.public_key(tmp_path, "notify", create=False)
    assert not list(tmp_path.iterdir())
    sealing.public_key(tmp_path, "notify")
    assert sealing.public_key(tmp_path, "notify", create=False)
