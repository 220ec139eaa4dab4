"""Tracking codes: easy to read aloud, derived from the report id, never stored in clear.

20 symbols from a 30-letter alphabet without look-alikes (0/O, 1/I/L, U) give 98 bits, shown in
five groups of four. Derived by HMAC from the report id so an idempotent replay returns the
same code; stored only as a keyed hash for lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
GROUP = 4


def tracking_code(secret: str, report_id: str) -> str:
    number = int.from_bytes(
        hmac.new(secret.encode(), f"code:{report_id}".encode(), hashlib.sha256).digest(), "big"
    )
    symbols = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[index])
    return "-".join("".join(symbols[i : i + GROUP]) for i in range(0, LENGTH, GROUP))


# Read aloud or typed on a phone: full-width forms (NFKC), any case, spaces and dashes of any
# kind; U is not in the alphabet, so a U is the V it resembles.
SEPARATORS = frozenset("-_.·・—–‐ ")
LOOK_ALIKES = str.maketrans({"U": "V"})


def normalise(code: str) -> str | None:
    """Upper-case, drop separators and spaces, read look-alikes; None when it cannot be a
    code."""
    wide = unicodedata.normalize("NFKC", code).upper().translate(LOOK_ALIKES)
    cleaned = "".join(ch for ch in wide if ch not in SEPARATORS and not ch.isspace())
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def lookup_hash(secret: str, code: str) -> str | None:
    cleaned = normalise(code)
    if cleaned is None:
        return None
    return hmac.new(secret.encode(), f"lookup:{cleaned}".encode(), hashlib.sha256).hexdigest()
