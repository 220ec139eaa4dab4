"""API keys for integrators and clerks' systems: stored hashed in a NATS key-value bucket that
every service can read (services share no database), revocable at once.

A key is `zf_<id>_<secret>` (id: 12 lowercase hex); the bucket holds, under the id, the SHA-256
of the whole key with its unit, role, state and expiry. High-entropy secrets make a plain hash
enough (nothing to brute-force). Each record is signed (HMAC-SHA256) with a key kept off the
bus (`ZUOFENG_APIKEY_SECRET`), so whoever could write to the bucket still cannot mint a key:
the verifier takes no record without a good signature. Only the `admin` NATS user writes the
bucket (`zuofeng apikey create|revoke`); services only read it.
"""

from shared.apikeys.bucket import BUCKET, DEFAULT_TTL, create, ensure_bucket, list_keys, revoke
from shared.apikeys.records import (
    KEY,
    ROLES,
    SIGNED,
    ApiKey,
    check_record,
    hash_key,
    key_id_of,
    signature,
    signed,
)
from shared.apikeys.verifier import CACHE_SECONDS, CACHE_SIZE, ApiKeyVerifier

__all__ = [
    "BUCKET",
    "CACHE_SECONDS",
    "CACHE_SIZE",
    "DEFAULT_TTL",
    "KEY",
    "ROLES",
    "SIGNED",
    "ApiKey",
    "ApiKeyVerifier",
    "check_record",
    "create",
    "ensure_bucket",
    "hash_key",
    "key_id_of",
    "list_keys",
    "revoke",
    "signature",
    "signed",
]
