"""The application's medical and payment details: one box sealed to federation's key, bound
to the application (a box copied onto another application does not open), opened in memory
only for a reviewing federation officer. Keyed hashes stand in for what must be compared."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.federation.context import HOLDER, Context
from shared import sealing
from shared.contacts import checked_email, checked_phone
from shared.events.intake import SealedIdentity

NOTIFY = "notify"  # the holder that tells her of each step: it alone opens her contact


class AidDetails(BaseModel):
    """Sensitive personal information: never stored, logged or published in clear."""

    model_config = ConfigDict(extra="forbid")
    applicant_name: str = Field(min_length=1, max_length=50)
    household_ref: str = Field(min_length=4, max_length=40)  # 建档立卡 number
    diagnosis: Literal["cervical", "breast"]
    certificate_ref: str = Field(min_length=1, max_length=100)  # the diagnosis certificate
    hospital: str = Field(min_length=1, max_length=100)
    bank: str = Field(min_length=1, max_length=100)
    account_holder: str = Field(min_length=1, max_length=50)
    account_number: str = Field(min_length=4, max_length=40, pattern=r"^[0-9 -]+$")


def seal_details(ctx: Context, application_id: str, details: AidDetails) -> tuple[str, str]:
    """(box, key id) for the application's row."""
    public = ctx.public_key()
    plain = details.model_dump_json().encode()
    box = sealing.seal(plain, public, sealing.bound_to(application_id, HOLDER))
    return box, sealing.key_id(public)


def open_details(ctx: Context, application_id: str, box: str, key_id: str) -> dict[str, Any]:
    private = ctx.private_keys()[key_id]
    plain = sealing.open_sealed(box, private, sealing.bound_to(application_id, HOLDER))
    opened: dict[str, Any] = json.loads(plain)
    return opened


def keyed_hash(ctx: Context, purpose: str, text: str) -> str:
    """Equal for one value and purpose, useless without the secret."""
    secret = ctx.settings.resolved_index_secret().encode()
    message = f"{purpose}:{text.strip().upper()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class ApplicantContact(BaseModel):
    """How she is told of each step (SMS or mail through notify): sealed to notify's key and
    bound to the application before anything is stored or published; never kept in clear."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)

    _phone = field_validator("phone")(checked_phone)
    _email = field_validator("email")(checked_email)

    @model_validator(mode="after")
    def _something(self) -> ApplicantContact:
        if not (self.phone or self.email):
            raise ValueError("请填写电话或邮箱 | give a phone number or an email address")
        return self


def seal_contact(
    ctx: Context, application_id: str, contact: ApplicantContact | None
) -> SealedIdentity | None:
    """Her phone and email sealed to notify, bound to the application (the box opens for no
    other application and no other holder); None when she left none."""
    if contact is None:
        return None
    given = {k: v for k, v in contact.model_dump().items() if v}
    return sealing.seal_identity(given, {NOTIFY: ctx.notify_key()}, report_id=application_id)
