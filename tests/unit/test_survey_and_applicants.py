"""回访 survey tokens (shared/survey.py) and the aid applicants' notice words (issue 23/26)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from services.federation.aid.details import ApplicantContact
from services.notify import applicants
from services.notify import survey as notify_survey
from shared import survey
from shared.events.federation.aid import AidSubmitted

SECRET = "a-survey-secret-of-at-least-32-bytes!!"
REPLIED = datetime(2026, 12, 1, 3, 4, 5, 678901, tzinfo=UTC)


def _survey(report_id: str | None = None) -> survey.Survey:
    return survey.Survey(
        report_id=report_id or str(uuid.uuid4()),
        replied_at=REPLIED,
        expires_at=REPLIED + timedelta(days=15),
    )


def test_a_token_reads_back_what_was_minted_to_the_microsecond() -> None:
    asked = _survey()
    token = survey.mint(SECRET, asked)
    assert len(token) <= survey.MAX_LENGTH and token.isascii()
    back = survey.read(SECRET, token)
    assert back.report_id == asked.report_id
    assert back.replied_at == REPLIED  # equal to intake's replied_at, not merely close
    assert back.expires_at == asked.expires_at.replace(microsecond=0)


def test_a_token_is_opaque_and_new_each_time() -> None:
    asked = _survey()
    first, second = survey.mint(SECRET, asked), survey.mint(SECRET, asked)
    assert first != second
    assert asked.report_id not in first and asked.report_id.replace("-", "") not in first


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:30] + ("A" if t[30] != "A" else "B") + t[31:],  # altered
        lambda t: t[:20],  # truncated
        lambda t: "",  # empty
        lambda t: "!" * 40,  # not base64
        lambda t: t * 3,  # too long
    ],
)
def test_a_spoiled_token_is_refused(spoil: object) -> None:
    token = survey.mint(SECRET, _survey())
    with pytest.raises(survey.BadToken):
        survey.read(SECRET, spoil(token))  # type: ignore[operator]


def test_another_secret_reads_nothing() -> None:
    token = survey.mint(SECRET, _survey())
    with pytest.raises(survey.BadToken):
        survey.read("another-deployment-secret-32-bytes-long", token)


def test_the_sms_text_carries_the_link_and_the_day_in_both_languages() -> None:
    until = datetime(2026, 12, 16, 20, 0, tzinfo=UTC)  # already the 17th in Dezhou
    zh = notify_survey.text("zh-CN", "https://x.example/survey/T", until)
    en = notify_survey.text("en", "https://x.example/survey/T", until)
    assert "https://x.example/survey/T" in zh and "12月17日" in zh
    assert "https://x.example/survey/T" in en and "17 Dec 2026" in en


STEPS = {
    "federation.aid_submitted": {},
    "federation.aid_eligible": {},
    "federation.aid_reviewed": {},
    "federation.aid_approved": {"amount": 5000},
    "federation.aid_disbursed": {"amount": 5000, "paid_on": "2026-12-05"},
    "federation.aid_refused": {"public_reason": "申请人不是农村妇女"},
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("event_type", sorted(STEPS))
def test_an_applicant_notice_never_names_the_illness(lang: str, event_type: str) -> None:
    subject, text = applicants.words(lang, event_type, SimpleNamespace(**STEPS[event_type]))
    for word in ("癌", "宫颈", "乳腺", "两癌", "cancer", "cervical", "breast", "diagnos"):
        assert word not in subject + text
    if "amount" in STEPS[event_type]:
        assert "5000" in text
    if event_type == "federation.aid_refused":
        assert "申请人不是农村妇女" in text
    if event_type == "federation.aid_disbursed":
        assert ("2026年12月5日" if lang == "zh-CN" else "2026-12-05") in text


def test_every_step_she_is_told_has_words_in_both_languages() -> None:
    assert set(applicants.WORDS["zh-CN"]) == set(applicants.WORDS["en"]) == set(STEPS)


def test_her_contact_needs_a_phone_or_an_address_well_formed() -> None:
    assert ApplicantContact(phone="138 1111 2222").phone == "138 1111 2222"
    for bad in ({}, {"phone": "12"}, {"email": "not-an-address"}):
        with pytest.raises(ValueError):
            ApplicantContact(**bad)


def test_a_submission_without_a_contact_still_validates() -> None:
    step = AidSubmitted(
        application_id=str(uuid.uuid4()), county="371402", village_id="v", poor_village=True,
        status="submitted", submitted_by="applicant", year=2026,
    )  # fmt: skip
    assert step.contact is None


def test_intake_honours_a_token_only_for_the_reply_it_names_and_until_it_expires() -> None:
    from services.intake.feedback import survey_fits

    asked = _survey()
    row = SimpleNamespace(replied_at=REPLIED)
    assert survey_fits(asked, row, REPLIED + timedelta(days=1))
    assert not survey_fits(asked, row, REPLIED + timedelta(days=16))  # expired
    later_reply = SimpleNamespace(replied_at=REPLIED + timedelta(days=3))  # sent back, closed again
    assert not survey_fits(asked, later_reply, REPLIED + timedelta(days=4))
    assert not survey_fits(asked, SimpleNamespace(replied_at=None), REPLIED)


def test_her_contact_opens_for_notify_and_this_application_only(tmp_path: Path) -> None:
    from cryptography.exceptions import InvalidTag

    from services.federation.aid.details import seal_contact
    from shared import sealing

    ctx = SimpleNamespace(notify_key=lambda: sealing.public_key(tmp_path, "notify"))
    app_id = str(uuid.uuid4())
    contact = ApplicantContact(phone="13611112222", email="her@example.net")
    sealed = seal_contact(ctx, app_id, contact)  # type: ignore[arg-type]
    assert sealed is not None and set(sealed.sealed) == {"notify"}
    assert sealed.has_phone and sealed.has_email
    assert "13611112222" not in sealed.model_dump_json()
    keys = sealing.keyring(tmp_path, "notify")
    opened = sealing.open_identity(sealed, "notify", keys, report_id=app_id)
    assert opened == {"phone": "13611112222", "email": "her@example.net"}
    with pytest.raises(InvalidTag):  # copied onto another application, it does not open
        sealing.open_identity(sealed, "notify", keys, report_id=str(uuid.uuid4()))
    assert seal_contact(ctx, app_id, None) is None  # type: ignore[arg-type]
