"""What a webhook subscription must be before it is stored (contract): only `case.*` and
`alert.*` types (never `report.*`, which carries report text and the sealed reporter), known
counties, a public receiver (unless the operator allows internal targets) and https in
production. Every problem of one request is answered together, as 422 naming each field."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from services.notify.context import Context
from services.notify.fanout.webhook_rows import SUBSCRIBABLE
from shared.errors import Refusal
from shared.events import REGISTRY

Problem = tuple[tuple[Any, ...], str, str]


class WebhookIn(BaseModel):
    """A subscription: where to POST, which case and alert event types, which counties (empty:
    those the integrator's unit may take: its own county, or every county for a city-level
    unit)."""

    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl
    event_types: list[str] = Field(min_length=1, max_length=100)
    counties: list[str] = Field(default_factory=list, max_length=100)


async def check(ctx: Context, body: WebhookIn) -> None:
    """Refuse (422) a subscription with any of the problems below, listing them all."""
    problems = _problems(ctx, body)
    if not ctx.settings.internal_webhooks_allowed and await _internal(body.url.host or ""):
        problems.append(
            (
                ("url",),
                "不允许指向内网、本机或保留地址",
                "the URL resolves to a loopback, private, link-local or reserved address",
            )
        )
    if problems:
        raise Refusal.fields([(("body", *loc), zh, en) for loc, zh, en in problems])


def _problems(ctx: Context, body: WebhookIn) -> list[Problem]:
    """(loc, zh, en) for each type that is not a case event, unknown county, or plain-http URL
    in production."""
    known_types = subscribable_types()
    directory = ctx.directory
    known_counties = {directory.city_code, *(code for code, _ in directory.counties())}
    found: list[Problem] = [
        (
            ("event_types", i),
            f"不可订阅的事件类型 {name}（只能订阅 case.* 和 alert.* 事件）",
            f"{name} cannot be subscribed to (case.* and alert.* event types only)",
        )
        for i, name in enumerate(body.event_types)
        if name not in known_types
    ]
    found += [
        (("counties", i), f"未知的区县代码 {code}", f"unknown county code {code}")
        for i, code in enumerate(body.counties)
        if code not in known_counties
    ]
    if ctx.settings.environment == "production" and body.url.scheme != "https":
        found.append((("url",), "生产环境须使用 https 地址", "https is required in production"))
    return found


def subscribable_types() -> set[str]:
    """Every case and alert event type this build knows."""
    return {name for name, _ in REGISTRY if name.startswith(SUBSCRIBABLE)}


async def _internal(host: str) -> bool:
    """Whether `host` is, or resolves to, an address no integrator's receiver should have.
    (Checked when subscribing, to answer 422 at once; every delivery checks again.)"""
    try:
        addresses = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except OSError:
            return False  # unresolvable now: deliveries will fail and be recorded as failed
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    return any(not a.is_global or a.is_multicast for a in addresses)
