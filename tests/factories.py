"""Factories for events and random ids (random so tests never collide on a shared server)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from shared.events import Envelope, make_event
from shared.events.intake import ReportReceived

# Production settings that pass every shared check (tokens, API keys), so a test varies only the
# rule it is about. Service-specific ones (cases' audit key) are added by the test.
SAFE_PRODUCTION: dict[str, object] = {
    "environment": "production",
    "jwt_secret": "s" * 48,
    "jwt_audience": "zuofeng",
    "jwt_issuer": "https://dezhou.example/zuofeng",
    "apikey_secret": "k" * 32,
    "session_secret": "w" * 32,
}


def random_county() -> str:
    """A 6-digit code no real county uses, so a test's subjects are its own."""
    return f"9{random.randint(0, 99999):05d}"


def random_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def report_received(county: str | None = None, **overrides: object) -> Envelope:
    county = county or random_county()
    report_id = str(overrides.pop("report_id", random_id("r-")))
    data = {
        "report_id": report_id,
        "channel": "web",
        "county": county,
        "content": "驻村工作队员长期不在村，群众反映找不到人。",
        "received_at": datetime.now(UTC),
    }
    data.update(overrides)
    return make_event(
        ReportReceived(**data), county=county, aggregate_id=report_id, sequence=1, producer="tests"
    )
