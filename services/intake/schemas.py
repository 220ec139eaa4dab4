"""Request and response bodies of intake's HTTP API (the contract's fields)."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.events.intake import Channel

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Reporter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    anonymous: bool = True
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.match(value):
            raise ValueError("电话号码格式不正确 | phone number is malformed")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise ValueError("电子邮箱格式不正确 | email address is malformed")
        return value

    @model_validator(mode="after")
    def _anonymous_means_nothing(self) -> Reporter:
        if self.anonymous and (self.name or self.phone or self.email):
            raise ValueError(
                "匿名举报不能填写姓名或联系方式 | an anonymous report carries no name or contact"
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
    attachments: list[str] = Field(default_factory=list, max_length=20)


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
