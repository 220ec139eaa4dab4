"""Validation errors as the contract wants them: 422, `loc` naming the field, zh-CN by default
and English with `Accept-Language: en`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError

ZH = {
    "missing": "此字段必填",
    "string_too_short": "长度至少为 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "literal_error": "取值应为：{expected}",
    "enum": "取值应为：{expected}",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "value_error": "{reason}",
}


def wants_english(request: Request) -> bool:
    return request.headers.get("accept-language", "").lower().startswith("en")


def localise(errors: list[dict[str, Any]], english: bool) -> list[dict[str, Any]]:
    out = []
    for error in errors:
        item = {
            "loc": list(error.get("loc", ())),
            "type": error.get("type"),
            "msg": error.get("msg", ""),
        }
        ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
        if not english:
            template = ZH.get(str(error.get("type")))
            # The message, not ctx["error"]: once JSON-encoded, the exception there is "{}".
            ctx.setdefault("reason", _zh_reason(str(item["msg"])))
            item["msg"] = template.format(**ctx) if template else item["msg"]
        out.append(item)
    return out


def _zh_reason(message: str) -> str:
    """Our own validators raise 'zh message | english message'; pick the Chinese half."""
    text = message.removeprefix("Value error, ")
    return text.split(" | ", 1)[0]


def _en_reason(message: str) -> str:
    text = message.removeprefix("Value error, ")
    return text.split(" | ", 1)[-1]


def _is_bad_input(exc: DBAPIError) -> bool:
    """The database refused a value the client sent (out of range, bad encoding), not a fault."""
    cause = exc.orig.__cause__ if exc.orig is not None else None
    names = {type(exc.orig).__name__, type(cause).__name__}
    return (
        isinstance(exc, DataError)
        or "DataError" in names
        or "invalid input for query argument" in str(exc)
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(DBAPIError)
    async def on_database_refusal(request: Request, exc: DBAPIError) -> JSONResponse:
        # A safety net under the edge validation: out-of-range input is the caller's 422.
        if not _is_bad_input(exc):
            raise exc
        english = wants_english(request)
        msg = "a value is out of range or malformed" if english else "参数取值超出范围或格式不正确"
        return JSONResponse(
            {"detail": [{"loc": ["query"], "msg": msg, "type": "value_error"}]}, status_code=422
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        english = wants_english(request)
        errors = localise(jsonable_encoder(exc.errors()), english)
        if english:
            for item in errors:
                item["msg"] = _en_reason(item["msg"])
        return JSONResponse({"detail": errors}, status_code=422)
