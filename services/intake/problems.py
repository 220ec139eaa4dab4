"""Validation problems as the contract shows them: a list of `{loc, msg, type}`, the message in
zh-CN or English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError

from shared.errors import localise

Loc = tuple[str | int, ...]


def detail(
    problems: Sequence[tuple[Loc, str, str]], english: bool, prefix: Loc = ("body",)
) -> list[dict[str, Any]]:
    """Problems found by intake's own checks: [(loc, zh, en)]."""
    return [
        {"loc": [*prefix, *loc], "msg": en if english else zh, "type": "value_error"}
        for loc, zh, en in problems
    ]


def schema_detail(
    exc: ValidationError, english: bool, prefix: Loc = ("body",)
) -> list[dict[str, Any]]:
    """A pydantic error in the same words FastAPI's handler would use (shared.errors)."""
    items = localise(jsonable_encoder(exc.errors(include_url=False)), english)
    for item in items:
        item["loc"] = [*prefix, *item["loc"]]
        if english:
            # Our validators say "zh | en": keep the English half.
            item["msg"] = str(item["msg"]).removeprefix("Value error, ").split(" | ", 1)[-1]
    return items
