"""The fenced bus: one NATS user per service and per integrator, each with subject permissions.

Subject permissions alone do not fence JetStream reads (a user allowed `$JS.API.>` may create
any consumer), so an integrator of county C may only create the consumer `integ-C` on CASES
with its filter in the API subject (`$JS.API.CONSUMER.CREATE.CASES.integ-C.zuofeng.v1.C.case.>`),
pull from that consumer only, and subscribe to no other county's subjects.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from shared.subjects import DLQ_PREFIX, PREFIX

SERVICE_PUBLISHES = {
    "intake": ["report"],
    "cases": ["case", "audit"],  # audit: the audit chain's anchors
    "notify": ["notification"],
    "reporting": ["alert"],
}
# Every service consumes durably, runs the DLQ mover and records errors between deliveries.
SERVICE_COMMON = ["$JS.API.>", "$JS.ACK.>", f"{DLQ_PREFIX}.>", "$KV.DLQ_ERRORS.>", "_INBOX.>"]


def service_permissions(service: str) -> dict[str, Any]:
    own = [f"{PREFIX}.*.{aggregate}.>" for aggregate in SERVICE_PUBLISHES[service]]
    subscribe = ["_INBOX.>"]
    if service == "intake":
        subscribe.append(f"{PREFIX}.*.intake.submit")  # request-reply submissions
    return {"publish": {"allow": own + SERVICE_COMMON}, "subscribe": {"allow": subscribe}}


def integrator_permissions(county: str) -> dict[str, Any]:
    """Submit for its county; read the CASES feed of its county through its own consumer."""
    name = integrator_consumer(county)
    feed = f"{PREFIX}.{county}.case.>"
    return {
        "publish": {
            "allow": [
                f"{PREFIX}.{county}.intake.submit",
                "$JS.API.INFO",
                "$JS.API.STREAM.INFO.CASES",
                f"$JS.API.CONSUMER.CREATE.CASES.{name}.{feed}",
                f"$JS.API.CONSUMER.INFO.CASES.{name}",
                f"$JS.API.CONSUMER.MSG.NEXT.CASES.{name}",
                f"$JS.ACK.CASES.{name}.>",
            ]
        },
        "subscribe": {"allow": ["_INBOX.>", feed]},
    }


def integrator_consumer(county: str) -> str:
    return f"integ-{county}"


def load_or_create_passwords(path: Path, users: list[str]) -> dict[str, str]:
    """Passwords kept under var/ (0600), created for users that have none yet."""
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for user in users:
        known.setdefault(user, secrets.token_urlsafe(24))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(known, indent=2))
    return known


def authorization_block(passwords: dict[str, str], counties: list[str]) -> str:
    """The `authorization { users = [...] }` block of nats.conf (JSON is valid NATS config)."""
    users: list[dict[str, Any]] = [{"user": "admin", "password": passwords["admin"]}]
    for service in SERVICE_PUBLISHES:
        users.append(
            {
                "user": service,
                "password": passwords[service],
                "permissions": service_permissions(service),
            }
        )
    for county in counties:
        user = f"integrator-{county}"
        users.append(
            {
                "user": user,
                "password": passwords[user],
                "permissions": integrator_permissions(county),
            }
        )
    return "authorization " + json.dumps({"users": users}, indent=2) + "\n"


def user_names(counties: list[str]) -> list[str]:
    return ["admin", *SERVICE_PUBLISHES, *(f"integrator-{county}" for county in counties)]


def with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest}"
