"""Schema problems as the contract shows them outside FastAPI (NATS, Open311, import rows): a
list of `{loc, type, msg}` in the same words FastAPI's handler uses (shared.http_errors)."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError

from shared.errors import bilingual, localise

Loc = tuple[str | int, ...]


def schema_detail(
    exc: ValidationError, english: bool, prefix: Loc = ("body",)
) -> list[dict[str, Any]]:
    """A pydantic error in the same words FastAPI's handler would use."""
    items = localise(jsonable_encoder(exc.errors(include_url=False)), english)
    for item in items:
        item["loc"] = [*prefix, *item["loc"]]
        if english:
            item["msg"] = bilingual(str(item["msg"]))[1]  # our validators say "zh | en"
    return items
