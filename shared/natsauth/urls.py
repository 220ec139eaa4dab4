"""Connecting as a user: credentials in the URL, and the user's private inbox prefix."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from shared.natsauth.permissions import inbox_prefix


def with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest}"


def url_user(url: str) -> str | None:
    """The user named in a NATS URL (`nats://user:password@host:port`), if any."""
    first = url.split(",", 1)[0].strip()
    user = urlsplit(first if "://" in first else f"nats://{first}").username
    return unquote(user) if user else None


def connect_options(url: str) -> dict[str, Any]:
    """nats-py (and FastStream) connect options for a URL: the user's private inbox prefix
    when the URL names a user (an unfenced server has none and keeps the default)."""
    user = url_user(url)
    return {"inbox_prefix": inbox_prefix(user)} if user else {}
