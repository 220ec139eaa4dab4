"""The `API_KEYS` bucket: keys created, revoked and listed there. Only the `admin` NATS user
writes it (`zuofeng apikey create|revoke`); services only read it."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError

from shared.apikeys.records import ROLES, hash_key, signed

BUCKET = "API_KEYS"
DEFAULT_TTL = timedelta(days=365)


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
        "hash": hash_key(key),
        "unit": unit,
        "role": role,
        "revoked": False,
        "created_at": now.isoformat(),
        "expires_at": (now + ttl).isoformat(),
    }
    await (await ensure_bucket(js)).put(key_id, signed(secret, record))
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
    await kv.put(key_id, signed(secret, record))
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
