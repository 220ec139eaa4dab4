"""Whether a session is alive: the `SESSIONS` bucket on the bus.

One entry per session (key: a hash of its id, never the id itself), holding when it was last
used; the entry is removed on sign-out, and a `user.<hash>` entry records when an account was
disabled or its password reset, which ends every session it had. Each service reads and
refreshes entries (its NATS user may touch this bucket only); `zuofeng bus init` creates the
bucket with a maximum age, so abandoned entries go by themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError

from shared.websession.tokens import SessionClaims

BUCKET = "SESSIONS"
# The bucket's maximum age: longer than any absolute timeout a setting allows.
MAX_AGE = timedelta(hours=25)
# A page refreshes its session's "last used" at most this often (one write a minute, not one
# per page) — so the idle timeout is exact to within this.
REFRESH_EVERY = timedelta(seconds=60)


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def user_key(sub: str) -> str:
    return f"user.{_key(sub)}"


class SessionStore(Protocol):
    async def open(self, claims: SessionClaims, now: datetime) -> None: ...
    async def alive(self, claims: SessionClaims, now: datetime, idle: timedelta) -> bool: ...
    async def end(self, sid: str) -> None: ...
    async def end_user(self, sub: str, now: datetime) -> None: ...


def _still_alive(
    entry: dict[str, Any] | None, user: dict[str, Any] | None, claims: SessionClaims,
    now: datetime, idle: timedelta,
) -> bool:  # fmt: skip
    if entry is None or entry.get("sub") != claims.sub:
        return False
    seen = datetime.fromisoformat(entry["seen"])
    if now - seen > idle or now.timestamp() >= claims.exp:
        return False
    # Disabled or reset after this session began: the session ends with it.
    return not (user and datetime.fromisoformat(user["ended_at"]) >= claims.started)


class KvSessionStore:
    """Sessions in the bus's `SESSIONS` bucket (shared by every service)."""

    def __init__(self, js: Callable[[], Any]) -> None:
        self._js = js

    async def _kv(self) -> Any:
        return await self._js().key_value(BUCKET)

    async def _get(self, kv: Any, key: str) -> dict[str, Any] | None:
        try:
            entry = await kv.get(key)
        except KeyNotFoundError:
            return None
        if not entry.value:  # a deleted entry reads as an empty value on some servers
            return None
        found = json.loads(entry.value)
        return found if isinstance(found, dict) else None

    async def open(self, claims: SessionClaims, now: datetime) -> None:
        entry = {"sub": claims.sub, "seen": now.isoformat()}
        await (await self._kv()).put(_key(claims.sid), json.dumps(entry).encode())

    async def alive(self, claims: SessionClaims, now: datetime, idle: timedelta) -> bool:
        try:
            kv = await self._kv()
        except BucketNotFoundError:
            return False
        entry = await self._get(kv, _key(claims.sid))
        if not _still_alive(entry, await self._get(kv, user_key(claims.sub)), claims, now, idle):
            return False
        assert entry is not None
        if now - datetime.fromisoformat(entry["seen"]) >= REFRESH_EVERY:
            entry["seen"] = now.isoformat()
            await kv.put(_key(claims.sid), json.dumps(entry).encode())
        return True

    async def end(self, sid: str) -> None:
        with contextlib.suppress(KeyNotFoundError, BucketNotFoundError):
            await (await self._kv()).delete(_key(sid))

    async def end_user(self, sub: str, now: datetime) -> None:
        entry = {"ended_at": now.isoformat()}
        await (await self._kv()).put(user_key(sub), json.dumps(entry).encode())


class MemorySessionStore:
    """The same rules in memory: handler unit tests only (never the only proof)."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    async def open(self, claims: SessionClaims, now: datetime) -> None:
        self.entries[_key(claims.sid)] = {"sub": claims.sub, "seen": now.isoformat()}

    async def alive(self, claims: SessionClaims, now: datetime, idle: timedelta) -> bool:
        entry = self.entries.get(_key(claims.sid))
        if not _still_alive(entry, self.entries.get(user_key(claims.sub)), claims, now, idle):
            return False
        assert entry is not None
        entry["seen"] = now.isoformat()
        return True

    async def end(self, sid: str) -> None:
        self.entries.pop(_key(sid), None)

    async def end_user(self, sub: str, now: datetime) -> None:
        self.entries[user_key(sub)] = {"ended_at": now.isoformat()}


async def ensure_bucket(js: Any) -> Any:
    """The bucket, created when missing (by `zuofeng bus init`: services may not create it)."""
    try:
        return await js.key_value(BUCKET)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(
                bucket=BUCKET, storage=StorageType.FILE, history=1, ttl=MAX_AGE.total_seconds()
            )
        )
