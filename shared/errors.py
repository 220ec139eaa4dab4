"""Validation errors as the contract wants them: 422, `loc` naming the field, zh-CN by default
and English with `Accept-Language: en`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
            ctx.setdefault("reason", _zh_reason(ctx.get("error", item["msg"])))
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


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        english = wants_english(request)
        errors = localise(jsonable_encoder(exc.errors()), english)
        if english:
            for item in errors:
                item["msg"] = _en_reason(item["msg"])
        return JSONResponse({"detail": errors}, status_code=422)
