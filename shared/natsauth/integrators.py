"""An integrator's NATS user: submit for its county, read that county's feeds (case events on
CASES, accountability alerts on REPORTING, exposures being `case.exposed`) through its own
consumer on each stream, nothing else (subject permissions alone do not fence JetStream reads)."""

from __future__ import annotations

from typing import Any

from shared.natsauth.permissions import JS, durable_use, inbox_prefix
from shared.subjects import PREFIX

# The streams an integrator reads and the aggregate each carries for it (contract).
INTEGRATOR_FEEDS = {"CASES": "case", "REPORTING": "alert"}


def integrator_permissions(county: str) -> dict[str, Any]:
    """Submit for its county; read each feed of its county through its own consumer (named
    `integ-<county>` on every stream, filtered on the county's subjects)."""
    name = integrator_consumer(county)
    publish = [f"{PREFIX}.{county}.intake.submit", f"{JS}.INFO"]
    feeds = []
    for stream, aggregate in INTEGRATOR_FEEDS.items():
        feed = f"{PREFIX}.{county}.{aggregate}.>"
        publish += [f"{JS}.CONSUMER.CREATE.{stream}.{name}.{feed}", *durable_use(stream, name)]
        feeds.append(feed)
    return {
        "publish": {"allow": publish},
        "subscribe": {"allow": [f"{inbox_prefix(f'integrator-{county}')}.>", *feeds]},
    }


def integrator_consumer(county: str) -> str:
    return f"integ-{county}"
