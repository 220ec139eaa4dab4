"""How a person can be reached, checked the same way wherever it is typed: a reporter's contact
(intake) and an aid applicant's (federation). One home, so both refuse the same input with the
same words and a fix to what counts as a phone number reaches both."""

from __future__ import annotations

import re

from shared.sealing import normalise_phone

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,24}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def checked_phone(value: str | None) -> str | None:
    """The phone as typed (spaces and dashes kept for the person's eye), or None when empty.

    7–15 digits once normalised: shorter is no number here, longer than E.164 allows."""
    if value and not (PHONE.match(value) and 7 <= len(normalise_phone(value)) <= 15):
        raise ValueError("电话号码格式不正确 | phone number is malformed")
    return value or None


def checked_email(value: str | None) -> str | None:
    if value and not EMAIL.match(value):
        raise ValueError("电子邮箱格式不正确 | email address is malformed")
    return value or None
