"""What an import row answers when it is not stored: the one place a refusal is rendered as a
row's errors, located by the import's column names."""

from __future__ import annotations

from typing import Any

from services.intake.context import Context
from services.intake.importing.columns import column_of
from services.intake.refusals import IDEMPOTENCY, is_malformed
from services.intake.schemas.answers import ImportRow
from shared.errors import Refusal

# What a row says for the refusals of storing it (the import's own words) and of its caller.
ROW_REFUSALS = {
    "idempotency": (
        "该行与此前同一 Idempotency-Key 导入的内容不同",
        "row differs from the earlier import",
        "conflict",
    ),
    "malformed": (
        "取值超出范围或格式不正确",
        "a value is out of range or malformed",
        "value_error",
    ),
    "unavailable": (
        "暂时无法保存，请用同一 Idempotency-Key 重新导入",
        "not stored; import again",
        "unavailable",
    ),
}


def row_errors(refusal: Refusal, english: bool) -> list[dict[str, Any]]:
    """A refusal as an import row's errors: its fields below the row, or one error for the row."""
    if refusal.type == IDEMPOTENCY:
        zh, en, kind = ROW_REFUSALS["idempotency"]
    elif is_malformed(refusal):
        zh, en, kind = ROW_REFUSALS["malformed"]
    elif refusal.status == 503:
        zh, en, kind = ROW_REFUSALS["unavailable"]
    elif refusal.status == 422:
        return [error | {"loc": error["loc"][1:]} for error in refusal.field_errors(english)]
    else:
        zh, en, kind = refusal.zh, refusal.en, "forbidden"
    return [{"loc": ["row"], "msg": en if english else zh, "type": kind}]


def failed(ctx: Context, number: int, errors: list[dict[str, Any]]) -> ImportRow:
    """The row's result, its errors counted by field and named by column."""
    ctx.metrics.invalid([error["loc"] for error in errors])
    for error in errors:
        error["loc"] = column_of(list(error["loc"]))
    return ImportRow(row=number, errors=errors)
