"""Federation's one dependency bag: what its routes work with.

Settings, database, directory, metrics, the public routes' rate limits, the clock (injected so
tests move time past a step's deadline) and federation's key pair. `create_app` builds one and
sets it on `app.state.context`; routes take it as `ctx: Ctx`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request

from services.federation.metrics import FederationMetrics
from services.federation.settings import FederationSettings
from shared import sealing
from shared.db import Database
from shared.directory import Directory
from shared.ratelimit import RateLimiter

PRODUCER = "federation"
HOLDER = "federation"  # the sealing holder: only this service opens the sealed details


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    settings: FederationSettings
    db: Database
    directory: Directory
    metrics: FederationMetrics
    # Per client: applications without a credential, receipt lookups (shared.ratelimit).
    public: RateLimiter
    lookups: RateLimiter
    clock: Callable[[], datetime] = utc_now

    def public_key(self) -> sealing.boxes.X25519PublicKey:
        return sealing.public_key(
            self.settings.resolved_keys_dir,
            HOLDER,
            create=self.settings.environment != "production",
        )

    def notify_key(self) -> sealing.boxes.X25519PublicKey:
        """Notify's public key: an applicant's contact is sealed to it (production mounts it,
        as intake's; federation never mints notify's pair there)."""
        return sealing.public_key(
            self.settings.resolved_keys_dir,
            "notify",
            create=self.settings.environment != "production",
        )

    def private_keys(self) -> sealing.Keyring:
        """The current key and those retired by a rotation (read at each opening: rare)."""
        keys_dir = self.settings.resolved_keys_dir
        if self.settings.environment == "production" and not (keys_dir / f"{HOLDER}.key").exists():
            # A new key could open nothing already sealed: the operator must mount ours.
            raise FileNotFoundError(f"federation's private key is missing from {keys_dir}")
        return sealing.keyring(keys_dir, HOLDER)


async def get_context(request: Request) -> Context:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request.
    return cast(Context, request.app.state.context)


Ctx = Annotated[Context, Depends(get_context)]
