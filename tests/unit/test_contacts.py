"""A reporter's contact (intake) and an aid applicant's (federation) are checked by one rule:
the same input is refused by both, with the same words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.federation.aid.details import ApplicantContact
from services.intake.schemas.reporter import Reporter

BAD_PHONES = ["12345", "1" * 16, "abc-1234567", "+86 139 1234 567x", "--13912345678"]
GOOD_PHONES = ["13912345678", "+86 139-1234-5678", "0534 2345678"]
BAD_EMAILS = ["someone", "a@b", "a b@example.org", "@example.org"]


def _errors(model: type, **fields: str) -> list[str]:
    try:
        model(**fields)
    except ValidationError as error:
        return [e["msg"] for e in error.errors()]
    return []


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_a_malformed_phone_is_refused_alike(phone: str) -> None:
    reporter = _errors(Reporter, anonymous=False, phone=phone)  # type: ignore[arg-type]
    applicant = _errors(ApplicantContact, phone=phone)
    assert reporter == applicant == ["Value error, 电话号码格式不正确 | phone number is malformed"]


@pytest.mark.parametrize("phone", GOOD_PHONES)
def test_a_phone_as_people_write_it_is_kept_as_typed(phone: str) -> None:
    assert Reporter(anonymous=False, phone=phone).phone == phone
    assert ApplicantContact(phone=phone).phone == phone


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_a_malformed_email_is_refused_alike(email: str) -> None:
    reporter = _errors(Reporter, anonymous=False, email=email)  # type: ignore[arg-type]
    applicant = _errors(ApplicantContact, email=email)
    assert reporter == applicant == ["Value error, 电子邮箱格式不正确 | email address is malformed"]


def test_empty_is_none_not_an_error() -> None:
    assert Reporter(anonymous=False, name="张三", phone="", email="").phone is None
    assert ApplicantContact(phone="13912345678", email="").email is None
