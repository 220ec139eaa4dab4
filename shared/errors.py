"""Refusals: one type for every request the system will not carry out, in zh-CN and English.

Domain code, validators and use cases raise `Refusal`; each transport renders it in one place:
HTTP in `shared.http_errors`, the NATS request-reply, Open311 and import-row answers in intake's
own renderers. Pydantic validators must raise `ValueError`, so they say "zh | en" and
`bilingual` is the one place that text is split. No web framework is imported here, so pure
domain modules may raise refusals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

Loc = tuple[str | int, ...]


class _HasHeaders(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...


@dataclass(eq=False)
class Refusal(Exception):
    """What was refused and why: the HTTP status the contract gives it, the reason in zh-CN and
    English, and for bad input (422) the field at fault (`loc`, FastAPI's shape, e.g.
    ("body", "content")). `more` holds the other field problems of the same request, so one
    answer lists them all."""

    status: int
    zh: str
    en: str
    loc: Loc = ()
    type: str = "value_error"
    more: tuple[Refusal, ...] = ()

    def __post_init__(self) -> None:
        super().__init__(self.en)

    def __str__(self) -> str:
        return self.en

    @property
    def problems(self) -> tuple[Refusal, ...]:
        """This refusal and the others of the same request."""
        return (self, *self.more)

    def text(self, english: bool) -> str:
        return self.en if english else self.zh

    def field_errors(self, english: bool) -> list[dict[str, Any]]:
        """The problems in the order our 422s have always listed them (`loc`, `type`, `msg`)."""
        return [{"loc": list(p.loc), "type": p.type, "msg": p.text(english)} for p in self.problems]

    def detail(self, english: bool) -> str | list[dict[str, Any]]:
        """The `detail` of an HTTP answer: the field list for bad input, else the reason."""
        return self.field_errors(english) if self.loc else self.text(english)

    # The kinds the contract knows, each with its status.
    @classmethod
    def invalid(cls, loc: Iterable[str | int], zh: str, en: str) -> Refusal:
        return cls(422, zh, en, tuple(loc))

    @classmethod
    def fields(cls, problems: Iterable[tuple[Iterable[str | int], str, str]]) -> Refusal:
        """One 422 listing several fields: [(loc, zh, en), ...] (at least one)."""
        first, *rest = [cls.invalid(loc, zh, en) for loc, zh, en in problems]
        first.more = tuple(rest)
        return first

    @classmethod
    def unauthorized(cls, zh: str, en: str) -> Refusal:
        return cls(401, zh, en, type="unauthorized")

    @classmethod
    def forbidden(cls, zh: str, en: str) -> Refusal:
        return cls(403, zh, en, type="forbidden")

    @classmethod
    def not_found(cls, zh: str, en: str) -> Refusal:
        return cls(404, zh, en, type="not_found")

    @classmethod
    def conflict(cls, zh: str, en: str) -> Refusal:
        return cls(409, zh, en, type="conflict")

    @classmethod
    def unavailable(cls, zh: str, en: str) -> Refusal:
        return cls(503, zh, en, type="unavailable")


def bilingual(message: str) -> tuple[str, str]:
    """("zh", "en") from our validators' "zh | en" text (pydantic may prefix "Value error, ");
    a text without the bar is both."""
    text = message.removeprefix("Value error, ")
    zh, _, en = text.partition(" | ")
    return zh, en or zh


def wants_english(request: _HasHeaders) -> bool:
    """Texts for users are zh-CN unless the caller asks for English."""
    return request.headers.get("accept-language", "").lower().startswith("en")


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
            ctx.setdefault("reason", bilingual(str(item["msg"]))[0])
            item["msg"] = template.format(**ctx) if template else item["msg"]
        out.append(item)
    return out
