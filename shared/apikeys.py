"""API keys for integrators and clerks' systems: stored hashed in a NATS key-value bucket that
every service can read (services share no database), revocable at once.

A key is `zf_<id>_<secret>` (id: 12 lowercase hex); the bucket holds, under the id, the SHA-256
of the whole key with its unit, role, state and expiry. High-entropy secrets make a plain hash
enough (nothing to brute-force). Each record is signed (HMAC-SHA256) with a key kept off the
bus (`ZUOFENG_APIKEY_SECRET`), so whoever could write to the bucket still cannot mint a key:
the verifier takes no record without a good signature. Only the `admin` NATS user writes the
bucket (`zuofeng apikey create|revoke`); services only read it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError

BUCKET = "API_KEYS"
CACHE_SECONDS = 5.0  # a revoked key stops working within this time on every service
CACHE_SIZE = 10_000  # keys remembered (LRU): invented keys cannot grow it without bound
ROLES = ("clerk", "integrator")  # the roles a key may carry; people sign in with tokens
DEFAULT_TTL = timedelta(days=365)
KEY = re.compile(r"zf_(?P<id>[0-9a-f]{12})_[A-Za-z0-9_-]{43}")
SIGNED = ("id", "hash", "unit", "role", "revoked", "created_at", "expires_at")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    unit: str
    role: str
    revoked: bool


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def signature(secret: str, record: dict[str, Any]) -> str:
    """HMAC-SHA256 over the record's fields in a fixed form (sorted keys, no spaces)."""
    body = json.dumps({k: record.get(k) for k in SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def _signed(secret: str, record: dict[str, Any]) -> bytes:
    return json.dumps({**record, "sig": signature(secret, record)}).encode()


def key_id_of(key: str) -> str | None:
    """The id of a well-formed key, else None (nothing else reaches the bucket)."""
    found = KEY.fullmatch(key)
    return found["id"] if found else None


async def ensure_bucket(js: JetStreamContext) -> Any:
    """The bucket, created when missing (by `zuofeng bus init`: only admin may create it)."""
    try:
        return await js.key_value(BUCKET)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(bucket=BUCKET, storage=StorageType.FILE, history=5)
        )


async def create(
    js: JetStreamContext, unit: str, role: str, secret: str, ttl: timedelta = DEFAULT_TTL
) -> tuple[str, str]:
    """(key id, the key): the key is shown once and never stored."""
    if role not in ROLES:
        raise ValueError(f"an API key is for {' or '.join(ROLES)}, not {role!r}")
    if ttl <= timedelta(0):
        raise ValueError("an API key's lifetime must be positive")
    key_id = secrets.token_hex(6)
    key = f"zf_{key_id}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    record = {
        "id": key_id,
        "hash": _hash(key),
        "unit": unit,
        "role": role,
        "revoked": False,
        "created_at": now.isoformat(),
        "expires_at": (now + ttl).isoformat(),
    }
    await (await ensure_bucket(js)).put(key_id, _signed(secret, record))
    return key_id, key


async def revoke(js: JetStreamContext, key_id: str, secret: str) -> bool:
    if not re.fullmatch(r"[0-9a-f]{12}", key_id):
        return False
    kv = await ensure_bucket(js)
    try:
        record = json.loads((await kv.get(key_id)).value)
    except KeyNotFoundError:
        return False
    record.pop("sig", None)
    record["revoked"] = True
    await kv.put(key_id, _signed(secret, record))
    return True


async def list_keys(js: JetStreamContext) -> list[dict[str, Any]]:
    kv = await ensure_bucket(js)
    try:
        ids = await kv.keys()
    except Exception:  # noqa: BLE001 - nats-py raises when the bucket is empty
        return []
    out = []
    for key_id in ids:
        record = json.loads((await kv.get(key_id)).value)
        fields = ("unit", "role", "revoked", "created_at", "expires_at")
        out.append({"id": key_id, **{k: record.get(k) for k in fields}})
    return out


def check_record(secret: str, key_id: str, key: str, record: dict[str, Any]) -> ApiKey | None:
    """The key a stored record grants, or None: unsigned or badly signed (written by someone
    without the signing key), another key's, revoked, expired, or for a role keys may not have."""
    sig = record.get("sig")
    if not isinstance(sig, str) or not hmac.compare_digest(sig, signature(secret, record)):
        return None
    if record.get("id") != key_id or not hmac.compare_digest(str(record.get("hash")), _hash(key)):
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


class ApiKeyVerifier:
    """Checks `X-API-Key` values against the bucket, with a short, bounded cache."""

    def __init__(
        self,
        js: Any,
        secret: str,
        cache_seconds: float = CACHE_SECONDS,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._js = js
        self._secret = secret
        self._cache_seconds = cache_seconds
        self._cache_size = cache_size
        # Keyed by the key's hash (no secret kept in memory); least recently used first.
        self._cache: OrderedDict[str, tuple[float, ApiKey | None]] = OrderedDict()

    async def verify(self, key: str) -> ApiKey | None:
        key_id = key_id_of(key)
        if key_id is None:
            return None  # malformed: no lookup, nothing cached
        slot = _hash(key)
        cached = self._cache.get(slot)
        if cached and time.monotonic() - cached[0] < self._cache_seconds:
            self._cache.move_to_end(slot)
            return cached[1]
        found = await self._lookup(key_id, key)
        self._cache[slot] = (time.monotonic(), found)
        self._cache.move_to_end(slot)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    async def _lookup(self, key_id: str, key: str) -> ApiKey | None:
        try:
            kv = await self._js().key_value(BUCKET)  # read only: services may not create it
            record = json.loads((await kv.get(key_id)).value)
        except (KeyNotFoundError, BucketNotFoundError, ValueError):
            return None  # no such key (or not JSON: not one we wrote)
        if not isinstance(record, dict):
            return None
        try:
            return check_record(self._secret, key_id, key, record)
        except (KeyError, TypeError):
            return None  # a record of another shape: not one we signed
