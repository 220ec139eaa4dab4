"""Intake's secrets and the holders' public keys, read once and kept in memory.

Read lazily: `create_app` (and the docs generator) must not touch `var/`. Intake holds public
keys only, so it can seal a reporter's identity but never open it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from services.intake.settings import IntakeSettings
from shared import sealing


class Keys:
    """Secrets by purpose (tracking codes, idempotency, blind index) and sealing keys."""

    def __init__(self, settings: IntakeSettings) -> None:
        self.settings = settings

    @cached_property
    def tracking(self) -> str:
        return self.settings.secret("tracking")

    @cached_property
    def idempotency(self) -> str:
        return self.settings.secret("idempotency")

    @cached_property
    def survey(self) -> str:
        """Reads the 回访 SMS links' tokens (shared with notify, which mints them)."""
        return self.settings.secret("survey")

    @cached_property
    def index(self) -> str:
        return self.settings.secret("index")

    @cached_property
    def challenges(self) -> str:
        """Signs the pages' proof-of-work challenges; derived, so replicas agree on it."""
        return hmac.new(self.tracking.encode(), b"pow-challenges", hashlib.sha256).hexdigest()

    @cached_property
    def holders(self) -> dict[str, X25519PublicKey]:
        keys_dir = self.settings.resolved_keys_dir
        # Production mounts the holders' public keys only: intake must never mint a pair.
        create = self.settings.environment != "production"
        return {
            holder: sealing.public_key(keys_dir, holder, create=create)
            for holder in sealing.HOLDERS
        }

    def keyed_hash(self, text: str) -> str:
        """HMAC of `text` under the idempotency secret (keys and bodies are stored only so)."""
        return hmac.new(self.idempotency.encode(), text.encode(), hashlib.sha256).hexdigest()
