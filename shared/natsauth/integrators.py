"""An integrator's NATS user: submit for its county, read that county's CASES feed through its
own consumer, nothing else (subject permissions alone do not fence JetStream reads)."""

from __future__ import annotations

from typing import Any

from shared.natsauth.permissions import JS, durable_use, inbox_prefix
from shared.subjects import PREFIX


def integrator_permissions(county: str) -> dict[str, Any]:
    """Submit for its county; read the CASES feed of its county through its own consumer."""
    name = integrator_consumer(county)
    feed = f"{PREFIX}.{county}.case.>"
    return {
        "publish": {
            "allow": [
                f"{PREFIX}.{county}.intake.submit",
                f"{JS}.INFO",
                f"{JS}.CONSUMER.CREATE.CASES.{name}.{feed}",
                *durable_use("CASES", name),
            ]
        },
        "subscribe": {"allow": [f"{inbox_prefix(f'integrator-{county}')}.>", feed]},
    }


def integrator_consumer(county: str) -> str:
    return f"integ-{county}"
