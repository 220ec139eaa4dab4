"""A key's stored record: the SHA-256 of the whole key with its unit, role, state and expiry,
signed (HMAC-SHA256) with a key kept off the bus, and the check that a record grants a key.

A key is `zf_<id>_<secret>` (id: 12 lowercase hex). High-entropy secrets make a plain hash
enough (nothing to brute-force); the signature means whoever could write to the bucket still
cannot mint a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ROLES = ("clerk", "integrator")  # the roles a key may carry; people sign in with tokens
KEY = re.compile(r"zf_(?P<id>[0-9a-f]{12})_[A-Za-z0-9_-]{43}")
SIGNED = ("id", "hash", "unit", "role", "revoked", "created_at", "expires_at")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    unit: str
    role: str
    revoked: bool


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def signature(secret: str, record: dict[str, Any]) -> str:
    """HMAC-SHA256 over the record's fields in a fixed form (sorted keys, no spaces)."""
    body = json.dumps({k: record.get(k) for k in SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def signed(secret: str, record: dict[str, Any]) -> bytes:
    return json.dumps({**record, "sig": signature(secret, record)}).encode()


def key_id_of(key: str) -> str | None:
    """The id of a well-formed key, else None (nothing else reaches the bucket)."""
    found = KEY.fullmatch(key)
    return found["id"] if found else None


def check_record(secret: str, key_id: str, key: str, record: dict[str, Any]) -> ApiKey | None:
    """The key a stored record grants, or None: unsigned or badly signed (written by someone
    without the signing key), another key's, revoked, expired, or for a role keys may not have."""
    sig = record.get("sig")
    if not isinstance(sig, str) or not hmac.compare_digest(sig, signature(secret, record)):
        return None
    if record.get("id") != key_id or not hmac.compare_digest(
        str(record.get("hash")), hash_key(key)
    ):
        return None
    if record.get("revoked") is not False or record.get("role") not in ROLES:
        return None
    try:
        expires = datetime.fromisoformat(record.get("expires_at"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if expires.tzinfo is None or expires <= datetime.now(UTC):
        return None
    return ApiKey(key_id=key_id, unit=record["unit"], role=record["role"], revoked=False)
