"""Production credentials (`zuofeng bus accounts`): the server's configuration holds bcrypt
hashes only, never a password; each user's password lives in its own credentials file.

nats-server recognises a bcrypt hash by its `$2a$` prefix and checks a client's password
against it at connect time (once per connection, so the cost is paid at connect only)."""

from __future__ import annotations

import json
from typing import Any

import bcrypt

from shared.natsauth.config import authorization_block

# 11 is what `nats server passwd` uses; tests may go lower to save CPU, never production.
DEFAULT_COST = 11


def hash_password(password: str, cost: int = DEFAULT_COST) -> str:
    salt = bcrypt.gensalt(rounds=cost, prefix=b"2a")
    return bcrypt.hashpw(password.encode(), salt).decode()


def hashed_users(
    passwords: dict[str, str], counties: list[str], cost: int = DEFAULT_COST
) -> list[dict[str, Any]]:
    """The users of `authorization_block` (same users, same permissions) with hashes."""
    hashes = {user: hash_password(password, cost) for user, password in passwords.items()}
    block = authorization_block(hashes, counties)
    users: list[dict[str, Any]] = json.loads(block.removeprefix("authorization "))["users"]
    return users


def users_block(users: list[dict[str, Any]]) -> str:
    """An `authorization { users = [...] }` block (JSON is valid NATS configuration)."""
    return "authorization " + json.dumps({"users": users}, indent=2) + "\n"
