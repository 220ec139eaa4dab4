"""The state machine's refusals, as `shared.errors.Refusal` with the texts the contract gives
them: 403 names who may act, 409 what the case allows now, 422 the field at fault.

Texts written in English only get the zh prefix they always had, so answers stay the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors import Refusal, bilingual, localise

DENIED = "无权执行此操作"
NOT_NOW = "案件当前状态不允许此操作"


def denied(en: str) -> Refusal:
    """403: the actor's role or unit may not do this; `en` says who may."""
    return Refusal.forbidden(f"{DENIED}：{en}", en)


def not_allowed(en: str, allowed: Sequence[str], zh: str | None = None) -> Refusal:
    """409: the case's state forbids the action; the text ends with what it allows now."""
    en = f"{en}; allowed now: {', '.join(allowed) or 'nothing'}"
    if zh is None:
        return Refusal.conflict(f"{NOT_NOW}：{en}", en)
    return Refusal.conflict(f"{zh}；现在允许：{', '.join(allowed) or '无'}", en)


def invalid(field: str, zh: str, en: str) -> Refusal:
    """422 for one body field."""
    return Refusal.invalid(("body", field), zh, en)


def invalid_payload(errors: Sequence[Mapping[str, Any]]) -> Refusal:
    """422 from pydantic's errors (FastAPI's shape), each localised as FastAPI's own would be."""
    plain = [dict(e) for e in errors]
    zh, en = localise(plain, english=False), localise(plain, english=True)
    problems = [
        Refusal(422, z["msg"], bilingual(e["msg"])[1], tuple(z["loc"]), str(z["type"]))
        for z, e in zip(zh, en, strict=True)
    ]
    first, *rest = problems
    first.more = tuple(rest)
    return first


def no_such_case() -> Refusal:
    """404: no such case, or one outside the caller's scope (the contract answers both alike)."""
    return Refusal.not_found("no such case", "no such case")
