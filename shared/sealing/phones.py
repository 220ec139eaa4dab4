"""Blind indexes: cases link repeat reports by the same phone number without seeing it."""

from __future__ import annotations

import hashlib
import hmac
import re


def normalise_phone(phone: str) -> str:
    """Digits only, without the +86/0086 country prefix, so spellings of one number agree."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def blind_index(secret: str, phone: str) -> str:
    """Keyed hash of the normalised phone: equal for one number, useless without the key."""
    return hmac.new(secret.encode(), normalise_phone(phone).encode(), hashlib.sha256).hexdigest()
