"""回访 survey tokens (issue 26): the link notify texts a named reporter after a reply, which
intake honours on its survey page to rate that reply.

Why a token and not the tracking code: the code is the reporter's own secret (it opens the
whole case history), notify never knows it (intake derives it under its own secret), and an
SMS passes through a gateway. The token lets its holder do one thing only: rate one reply of
one report, until the rating window ends. It is opaque (AES-256-GCM under a key derived from
the secret notify and intake share, `ZUOFENG_NOTIFY_SURVEY_SECRET` =
`ZUOFENG_INTAKE_SURVEY_SECRET`), so the gateway learns no report id from it, and authenticated,
so no one can forge or alter one. It carries the report id, the instant of the reply it asks
about (the closing or rejection event's time, which intake keeps as the report's `replied_at`)
and its expiry. Single use is intake's rule "one rating per reply" (the report's compare-and-set
on its sequence): once rated, the same link is refused; a later reply (the case sent back and
closed again) is another instant, so the old link cannot rate it.
Nothing here is stored by either side, and no event carries a token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
_AAD = b"zuofeng-survey-token:v1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAYOUT = struct.Struct(">B16sqq")  # version, report uuid, reply (µs), expiry (s)
_NONCE = 12
MAX_LENGTH = 120  # characters; a longer path segment is not a token


class BadToken(ValueError):
    """Not a token of this secret (forged, altered, truncated or from another deployment)."""


@dataclass(frozen=True)
class Survey:
    """What a token says: which report, which reply of it, until when."""

    report_id: str
    replied_at: datetime
    expires_at: datetime


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"survey-token-key", hashlib.sha256).digest()


def _micros(at: datetime) -> int:
    delta = at.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def mint(secret: str, survey: Survey) -> str:
    """The token (URL-safe, about 75 characters); a report id that is not a UUID is refused."""
    report = uuid.UUID(survey.report_id).bytes
    expires = int((survey.expires_at.astimezone(UTC) - _EPOCH).total_seconds())
    plain = _LAYOUT.pack(VERSION, report, _micros(survey.replied_at), expires)
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_key(secret)).encrypt(nonce, plain, _AAD)
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def read(secret: str, token: str) -> Survey:
    """The token's survey, or BadToken. Expiry is the caller's to judge (it holds the clock)."""
    if not token or len(token) > MAX_LENGTH:
        raise BadToken("not a survey token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("not a survey token") from None
    if len(raw) <= _NONCE:
        raise BadToken("not a survey token")
    try:
        plain = AESGCM(_key(secret)).decrypt(raw[:_NONCE], raw[_NONCE:], _AAD)
        version, report, replied, expires = _LAYOUT.unpack(plain)
    except (InvalidTag, struct.error):
        raise BadToken("not a survey token") from None
    if version != VERSION:
        raise BadToken("unknown survey token version")
    return Survey(
        report_id=str(uuid.UUID(bytes=report)),
        replied_at=_EPOCH + timedelta(microseconds=replied),
        expires_at=_EPOCH + timedelta(seconds=expires),
    )
