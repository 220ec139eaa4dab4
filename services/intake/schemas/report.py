"""The bodies reporters send: a report, and a request for a review of its reply."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.schemas.reporter import Reporter
from services.intake.schemas.text import TEXT_PATTERN, no_control_characters
from shared.events.intake import Channel
from shared.http_params import INT_MAX


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
    category_hint: int | None = Field(None, ge=0, le=INT_MAX)
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

    @model_validator(mode="after")
    def _address_by_letter_or_visit(self) -> ReportIn:
        # Written notices (书面告知) go by post to those who came by letter or in person.
        if self.reporter.address and self.channel not in POSTAL_CHANNELS:
            raise ValueError(
                "仅来信、来访举报可填写通信地址 | a postal address is for letter and visit reports"
            )
        return self


# Channels whose reporters may leave a postal address for written notices.
POSTAL_CHANNELS = ("letter", "visit")
# Field names that may label a rejection metric (bounded: nothing a client can invent).
FIELD_NAMES = frozenset(
    [*ReportIn.model_fields, *(f"reporter.{name}" for name in Reporter.model_fields)]
    + ["file", "reason", "idempotency_key"]
)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    # Said in the document (the validator enforces it): some text, and no C0 control but tab
    # and newlines, so a generated client or fuzzer sends what is accepted.
    reason: str = Field(min_length=1, json_schema_extra={"pattern": TEXT_PATTERN})
    _clean = field_validator("reason", mode="before")(no_control_characters)


class FeedbackIn(BaseModel):
    """A rating of the reply (回访): how satisfied, and optionally why (a reason with an
    unsatisfied rating goes to the city office to answer)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    comment: str | None = Field(None, max_length=2000, json_schema_extra={"pattern": TEXT_PATTERN})
    _clean = field_validator("comment", mode="before")(no_control_characters)
