"""What every cases use case works with: the database, the directory, the deadline profiles,
the state machine's numbers, and the clock (`now`, injected so tests never wait for days)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from services.cases.domain import Rules
from shared.db import Database
from shared.deadlines import Profile, Profiles
from shared.directory import Directory
from shared.routing import load_rules


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CasesService:
    """The cases service's dependencies; one per process (replicas share only the database)."""

    db: Database
    directory: Directory
    profiles: Profiles
    keys_dir: Path
    now: Callable[[], datetime] = utc_now
    prefer_line: str = field(default_factory=lambda: load_rules().prefer_line)
    # SQLite has no row locks: openings in one process take turns (one runner on SQLite).
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The audit chain's HMAC key (kept outside the database; settings.resolved_audit_key()).
    audit_key: bytes = b""

    @property
    def rules(self) -> Rules:
        """The state machine's numbers from the default profile (extension ≤ 30 days)."""
        return Rules(extension_max_days=self.profiles.default.rule("extension_max").days)

    def profile(self, channel: str | None) -> Profile:
        return self.profiles.for_channel(channel)

    def county_of(self, unit: str, fallback: str) -> str:
        """The county a unit's case events go out under (371400 for city units)."""
        return self.directory.unit(unit).county if unit in self.directory else fallback
