"""Second factor (TOTP, RFC 6238, 30 s, 6 digits): the secret is sealed at rest with a key
derived from the sessions' secret (Fernet), so a copy of the database alone does not give the
codes; a code is accepted once (its time step is remembered) and one step either side of now
(clock drift)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken

ISSUER = "Zuofeng"
STEP = 30
# Roles that must use a second factor: they see identities, approve or act for the city; the
# federation's officers open aid applicants' sealed medical and payment details.
REQUIRED_FOR = frozenset({"inspector", "city_office", "leader", "supervisor", "federation_officer"})


def _fernet(secret: str) -> Fernet:
    key = hmac.new(secret.encode(), b"zuofeng-totp-seal", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()


def seal(session_secret: str, totp_secret: str) -> str:
    return _fernet(session_secret).encrypt(totp_secret.encode()).decode()


def unseal(session_secret: str, sealed: str) -> str | None:
    try:
        return _fernet(session_secret).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def matching_step(totp_secret: str, code: str, now: datetime, after_step: int) -> int | None:
    """The time step `code` is good for (now, or one step either side), if later than the
    last one used; else None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    otp = pyotp.TOTP(totp_secret, interval=STEP)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if step > after_step and hmac.compare_digest(otp.at(step * STEP), code):
            return step
    return None


def uri(totp_secret: str, login: str) -> str:
    return pyotp.TOTP(totp_secret, interval=STEP).provisioning_uri(name=login, issuer_name=ISSUER)


def qr_svg(text: str) -> str:
    """An inline SVG of the QR code (made here: no third-party service sees the secret)."""
    import segno  # on enrolment only (a rare page), not in every cases process at start

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True,
                                     title="TOTP")  # fmt: skip
    return out.getvalue().decode()
