"""Written notices (书面告知, issue 22): which reporters get a printed letter and for which
notices, the postal address sealed like every other contact (in notify's box and the discipline
organ's, never in the event in clear), intake accepting it on letter and visit reports only, and
the letter rendered as a PDF from the same templates as the mail."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from services.intake.schemas.report import ReportIn
from services.notify.letters.events import LETTER_EVENTS
from services.notify.letters.printing import letter_pdf
from services.notify.rendering import render
from services.notify.reporters import Contact, channel_for, is_contactable, open_contact
from services.notify.samples import sample_payload
from shared import sealing
from shared.events.intake import ReportReceived
from tests.factories import report_received

ADDRESS = "山东省德州市德城区新湖大街88号 王五 收"


def contact(**flags: bool) -> Contact:
    values = {"has_email": False, "has_phone": False, "has_address": False} | flags
    return Contact("r1", True, values["has_email"], values["has_phone"], None, "box",
                   has_address=values["has_address"])  # fmt: skip


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"[ \t\x00]+", "", "\n".join(p.extract_text() for p in reader.pages))


def test_a_letter_only_for_a_reporter_with_only_a_postal_address_and_a_written_notice() -> None:
    postal = contact(has_address=True)
    assert channel_for(postal, True, True, letter=True) == "letter"
    assert channel_for(postal, True, True, letter=False) is None  # e.g. a merged repeat
    # A phone or a mail address comes first: the letter is for those who left neither.
    assert channel_for(contact(has_address=True, has_phone=True), True, True, letter=True) == "sms"
    assert channel_for(contact(has_address=True, has_email=True), True, True, letter=True) == (
        "email"
    )
    # With SMS off, a reporter who left a phone and an address still hears by letter.
    both = contact(has_address=True, has_phone=True)
    assert channel_for(both, True, False, letter=True) == "letter"
    anonymous = Contact("r2", False, False, False, None, None, has_address=False)
    assert channel_for(anonymous, True, True, letter=True) is None


def test_acceptance_extension_and_results_are_the_written_notices() -> None:
    assert {"case.accepted", "case.extension_decided", "case.concluded"} <= LETTER_EVENTS
    assert "case.merged" not in LETTER_EVENTS and "case.result_upheld" not in LETTER_EVENTS


def test_intake_takes_a_postal_address_on_letter_and_visit_reports_only() -> None:
    named = {"anonymous": False, "address": ADDRESS}
    for channel in ("letter", "visit"):
        report = ReportIn(channel=channel, county="371402", content="反映问题", reporter=named)
        assert report.reporter.address == ADDRESS
    with pytest.raises(ValidationError, match="来信、来访"):
        ReportIn(channel="web", county="371402", content="反映问题", reporter=named)
    with pytest.raises(ValidationError, match="匿名"):
        ReportIn(channel="letter", county="371402", content="x", reporter={"address": ADDRESS})


def test_the_address_is_sealed_for_notify_and_discipline_and_opens_only_there(
    tmp_path: Path,
) -> None:
    holders = {h: sealing.public_key(tmp_path, h) for h in sealing.HOLDERS}
    sealed = sealing.seal_identity({"name": "王五", "address": ADDRESS}, holders, report_id="r9")
    assert sealed.has_address and not sealed.has_phone and not sealed.has_email
    assert ADDRESS not in sealed.model_dump_json() and "王五" not in sealed.model_dump_json()
    event = report_received("371402", report_id="r9", channel="letter", anonymous=False,
                            identity=sealed)  # fmt: skip
    payload = ReportReceived.model_validate(event.data)
    assert is_contactable(payload)
    box = Contact("r9", True, False, False, None, sealed.sealed["notify"],
                  sealed.key_ids["notify"], has_address=True)  # fmt: skip
    assert open_contact(box, sealing.keyring(tmp_path, "notify")) == {"address": ADDRESS}
    discipline = sealing.open_identity(
        sealed, "discipline", sealing.keyring(tmp_path, "discipline"), report_id="r9"
    )
    assert discipline == {"name": "王五", "address": ADDRESS}


def test_the_letter_is_the_mail_s_notice_printed_with_the_address() -> None:
    extra = {"reported_on": datetime(2026, 11, 2, tzinfo=UTC)}
    message = render("case.accepted", "reporter", sample_payload("case.accepted"), "zh-CN",
                     extra=extra)  # fmt: skip
    written = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    content = letter_pdf(ADDRESS, message.subject, message.body, written)
    assert content.startswith(b"%PDF") and b"NotoSerifCJK" in content
    text = pdf_text(content).replace("\n", "")
    assert ADDRESS.replace(" ", "") in text
    assert message.subject in text and "2026年11月2日反映的问题" in text
    assert "2026年11月20日" in text and "请勿直接回复" not in text  # the mail's footer is not
