"""The application's medical and payment details: one box sealed to federation's key, bound
to the application (a box copied onto another application does not open), opened in memory
only for a reviewing federation officer. Keyed hashes stand in for what must be compared."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.federation.context import HOLDER, Context
from shared import sealing


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
