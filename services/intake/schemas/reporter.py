"""The reporter part of a report's body: anonymous, or named with at least one way to reach
them (sealed by intake before it is stored)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.schemas.text import no_control_characters
from shared.contacts import checked_email, checked_phone


class Reporter(BaseModel):
    """Who reports; anonymous by default, and then with no name or contact at all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    _clean = field_validator("name", "phone", "email", "address", mode="before")(
        no_control_characters
    )
    anonymous: bool = True
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    # 书面告知: where a reporter who came by letter or visit gets the notices printed and posted
    # (recipient included, as they want it written); letter and visit reports only (ReportIn).
    address: str | None = Field(None, max_length=200)

    _phone = field_validator("phone")(checked_phone)
    _email = field_validator("email")(checked_email)

    @model_validator(mode="after")
    def _anonymous_means_nothing(self) -> Reporter:
        given = bool(self.name or self.phone or self.email or self.address)
        if self.anonymous and given:
            raise ValueError(
                "匿名举报不能填写姓名或联系方式 | an anonymous report carries no name or contact"
            )
        if not self.anonymous and not given:
            raise ValueError(
                "实名举报请至少填写姓名、电话、邮箱或通信地址之一"
                " | a named report needs a name, phone, email or postal address"
            )
        return self
