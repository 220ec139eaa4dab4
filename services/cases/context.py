"""What every cases use case, route and handler works with: the settings, the database, the
directory, the deadline profiles, the state machine's numbers, and the clock (`now`, injected
so tests never wait for days). One per process; replicas share only the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, cast

from fastapi import Depends, Request

from services.cases.domain.state import Rules
from services.cases.routing.rules import load_rules
from services.cases.settings import CasesSettings
from shared import configdir
from shared.db import Database
from shared.deadlines import Profile, Profiles, load_profiles
from shared.directory import Directory, load_directory


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """The cases service's dependencies."""

    settings: CasesSettings
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


def build_context(
    settings: CasesSettings,
    db: Database,
    *,
    now: Callable[[], datetime] = utc_now,
    audit_key: bytes = b"",
) -> Context:
    """The Context with the directory and deadline profiles of the configured county."""
    configdir.activate(settings.config_dir)
    directory, profiles = load_directory(), load_profiles()
    keys = settings.resolved_keys_dir
    return Context(settings, db, directory, profiles, keys, now=now, audit_key=audit_key)


async def get_context(request: Request) -> Context:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request.
    return cast(Context, request.app.state.context)


Ctx = Annotated[Context, Depends(get_context)]
