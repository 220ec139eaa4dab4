"""Request and response bodies of intake's HTTP API (the contract's fields)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.events.intake import Channel
from shared.sealing import normalise_phone

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,24}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def no_control_characters(value: object) -> object:
    """NUL and other C0 controls (tab and newlines aside) are never text a person typed; the
    database would refuse NUL anyway."""
    if isinstance(value, str) and any(ch < " " and ch not in "\t\n\r" for ch in value):
        raise ValueError("包含不允许的控制字符 | contains a control character")
    return value


class Reporter(BaseModel):
    """Who reports; anonymous by default, and then with no name or contact at all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    _clean = field_validator("name", "phone", "email", mode="before")(no_control_characters)
    anonymous: bool = True
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not (PHONE.match(value) and 7 <= len(normalise_phone(value)) <= 15):
            raise ValueError("电话号码格式不正确 | phone number is malformed")
        return value or None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL.match(value):
            raise ValueError("电子邮箱格式不正确 | email address is malformed")
        return value or None

    @model_validator(mode="after")
    def _anonymous_means_nothing(self) -> Reporter:
        given = bool(self.name or self.phone or self.email)
        if self.anonymous and given:
            raise ValueError(
                "匿名举报不能填写姓名或联系方式 | an anonymous report carries no name or contact"
            )
        if not self.anonymous and not given:
            raise ValueError(
                "实名举报请至少填写姓名、电话或邮箱之一"
                " | a named report needs a name, phone or email"
            )
        return self


class ReportIn(BaseModel):
    """A report as submitted; length limits beyond these come from settings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    channel: Channel = "web"
    county: str = Field(pattern=r"^\d{6}$")
    content: str = Field(min_length=1)
    title: str | None = Field(None, max_length=200)
    township: str | None = Field(None, max_length=100)
    village: str | None = Field(None, max_length=100)
    subject_unit: str | None = Field(None, max_length=200)
    subject_unit_id: str | None = Field(None, max_length=64)
    subject_person: str | None = Field(None, max_length=100)
    subject_is_head: bool = False
    category_hint: int | None = None
    occurred_on: date | None = None
    reporter: Reporter = Field(default_factory=Reporter)
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20
    )
    _clean = field_validator(
        "content",
        "title",
        "township",
        "village",
        "subject_unit",
        "subject_unit_id",
        "subject_person",
        mode="before",
    )(no_control_characters)


# Field names that may label a rejection metric (bounded: nothing a client can invent).
FIELD_NAMES = frozenset(
    [*ReportIn.model_fields, *(f"reporter.{name}" for name in Reporter.model_fields)]
    + ["file", "reason", "idempotency_key"]
)


class ReportAccepted(BaseModel):
    report_id: str
    tracking_code: str


class Step(BaseModel):
    at: str
    status: str
    text: str


class ReportView(BaseModel):
    """What the reporter sees: public wording only."""

    status: str
    steps: list[Step]
    # End of the window for asking a review of the reply; null while none is open.
    review_until: str | None = None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=1)
    _clean = field_validator("reason", mode="before")(no_control_characters)


class ReviewAccepted(BaseModel):
    status: str
    requested_at: datetime


class AttachmentAccepted(BaseModel):
    attachment_id: str
    sha256: str


class ImportRow(BaseModel):
    """One row of an import: its line in the file (the header is line 1), and its outcome."""

    row: int
    report_id: str | None = None
    tracking_code: str | None = None
    errors: list[dict[str, object]] | None = None


class ImportResult(BaseModel):
    rows: list[ImportRow]
