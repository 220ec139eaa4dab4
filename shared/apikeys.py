"""API keys for integrators and clerks' systems: stored hashed in a NATS key-value bucket that
every service can read (services share no database), revocable at once.

A key is `zf_<id>_<secret>`; the bucket holds, under the id, the SHA-256 of the whole key with
its unit and role. High-entropy secrets make a plain hash enough (nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError

BUCKET = "API_KEYS"
CACHE_SECONDS = 5.0  # a revoked key stops working within this time on every service


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    unit: str
    role: str
    revoked: bool


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def bucket(js: JetStreamContext) -> Any:
    try:
        return await js.key_value(BUCKET)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(bucket=BUCKET, storage=StorageType.FILE, history=5)
        )


async def create(js: JetStreamContext, unit: str, role: str) -> tuple[str, str]:
    """(key id, the key): the key is shown once and never stored."""
    key_id = secrets.token_hex(6)
    key = f"zf_{key_id}_{secrets.token_urlsafe(32)}"
    record = {
        "hash": _hash(key),
        "unit": unit,
        "role": role,
        "revoked": False,
        "created_at": datetime.now(UTC).isoformat(),
    }
    await (await bucket(js)).put(key_id, json.dumps(record).encode())
    return key_id, key


async def revoke(js: JetStreamContext, key_id: str) -> bool:
    kv = await bucket(js)
    try:
        record = json.loads((await kv.get(key_id)).value)
    except KeyNotFoundError:
        return False
    record["revoked"] = True
    await kv.put(key_id, json.dumps(record).encode())
    return True


async def list_keys(js: JetStreamContext) -> list[dict[str, Any]]:
    kv = await bucket(js)
    try:
        ids = await kv.keys()
    except Exception:  # noqa: BLE001 - nats-py raises when the bucket is empty
        return []
    out = []
    for key_id in ids:
        record = json.loads((await kv.get(key_id)).value)
        out.append(
            {"id": key_id, **{k: record[k] for k in ("unit", "role", "revoked", "created_at")}}
        )
    return out


class ApiKeyVerifier:
    """Checks `X-API-Key` values against the bucket, with a short cache."""

    def __init__(self, js: Any, cache_seconds: float = CACHE_SECONDS) -> None:
        self._js = js
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    async def verify(self, key: str) -> ApiKey | None:
        parts = key.split("_")
        if len(parts) < 3 or parts[0] != "zf":
            return None
        key_id = parts[1]
        cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        found = await self._lookup(key_id, key)
        self._cache[key] = (time.monotonic(), found)
        return found

    async def _lookup(self, key_id: str, key: str) -> ApiKey | None:
        try:
            record = json.loads((await (await bucket(self._js())).get(key_id)).value)
        except KeyNotFoundError:
            return None
        if record["revoked"] or not hmac.compare_digest(record["hash"], _hash(key)):
            return None
        return ApiKey(key_id=key_id, unit=record["unit"], role=record["role"], revoked=False)
