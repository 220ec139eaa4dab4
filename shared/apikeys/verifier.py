"""What a service does with an `X-API-Key` value: look its record up in the bucket and check
it, remembering the answer briefly so a revocation takes effect within seconds."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any

from nats.js.errors import BucketNotFoundError, KeyNotFoundError

from shared.apikeys.bucket import BUCKET
from shared.apikeys.records import ApiKey, check_record, hash_key, key_id_of

CACHE_SECONDS = 5.0  # a revoked key stops working within this time on every service
CACHE_SIZE = 10_000  # keys remembered (LRU): invented keys cannot grow it without bound


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
        slot = hash_key(key)
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
