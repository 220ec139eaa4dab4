"""The users of the bundled NATS server: passwords kept under var/ and the `authorization`
block of nats.conf."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from shared.natsauth.integrators import integrator_permissions
from shared.natsauth.permissions import SERVICE_PUBLISHES, service_permissions


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
