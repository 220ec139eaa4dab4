"""Where a sign-in may send the browser back to (`next`): a path on this site, or a page on
one of the configured page origins; anything else (another site, `//host`, `javascript:`,
backslashes) goes to the landing page, so the sign-in page cannot be an open redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

LANDING = "/signin/done"


def safe_next(value: str | None, origins: dict[str, str]) -> str:
    if not value or len(value) > 2000 or "\\" in value or any(c < " " for c in value):
        return LANDING
    parts = urlsplit(value)
    if not parts.scheme and not parts.netloc:
        return value if value.startswith("/") and not value.startswith("//") else LANDING
    origin = f"{parts.scheme}://{parts.netloc}"
    allowed = {o.rstrip("/") for o in origins.values()}
    return value if parts.scheme in ("http", "https") and origin in allowed else LANDING
