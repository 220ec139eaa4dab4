"""Webhook subscriptions (contract): integrators subscribe to case events by type and county.

Only `case.*` types can be subscribed to (never `report.*`, which carries report text and the
sealed reporter). The secret is shown once, at creation; deliveries are signed with it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from sqlalchemy import func, insert, select, update

from services.notify.context import Notify
from services.notify.fences import integrator_counties
from services.notify.models import webhooks
from services.notify.samples import case_types
from shared import outbox
from shared.auth import Caller, Principal, require_role
from shared.directory import load_directory
from shared.errors import wants_english
from shared.events.audit import AuditWebhookChanged, actor, audit_record

router = APIRouter(prefix="/api/v1", tags=["webhooks"])


def _integrator(caller: Caller) -> Principal:
    # A dependency, so a wrong role answers 403 before the body is even validated.
    require_role(caller, "integrator")
    return caller


Integrator = Annotated[Principal, Depends(_integrator)]


class WebhookIn(BaseModel):
    """A subscription: where to POST, which case event types, which counties (empty: those the
    integrator's unit may take: its own county, or every county for a city-level unit)."""

    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl
    event_types: list[str] = Field(min_length=1, max_length=100)
    counties: list[str] = Field(default_factory=list, max_length=100)


def _problems(body: WebhookIn, *, production: bool) -> list[tuple[tuple[Any, ...], str, str]]:
    """(loc, zh, en) for each type that is not a case event, unknown county, or plain-http URL
    in production."""
    known_types = set(case_types())
    directory = load_directory()
    known_counties = {directory.city_code, *(code for code, _ in directory.counties())}
    found: list[tuple[tuple[Any, ...], str, str]] = [
        (
            ("event_types", i),
            f"不可订阅的事件类型 {name}（只能订阅 case.* 事件）",
            f"{name} cannot be subscribed to (case.* event types only)",
        )
        for i, name in enumerate(body.event_types)
        if name not in known_types
    ]
    found += [
        (("counties", i), f"未知的区县代码 {code}", f"unknown county code {code}")
        for i, code in enumerate(body.counties)
        if code not in known_counties
    ]
    if production and body.url.scheme != "https":
        found.append((("url",), "生产环境须使用 https 地址", "https is required in production"))
    return found


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


def _fenced(n: Notify, caller: Principal, asked: list[str], english: bool) -> list[str]:
    """The counties to store, or 403. The codes are valid (422 came first) and public, so
    naming another county is not outside the caller's scope (404) but something its role may
    not do for its unit: 403, as the status rule says."""
    allowed = integrator_counties(n.directory, caller.unit)
    if allowed is None:
        return sorted(set(asked))  # a city-level integrator: empty still means every county
    if not allowed:
        zh, en = (
            "本单位不在名录中，不能订阅",
            "your unit is not in the directory: no county to take",
        )
        raise HTTPException(403, en if english else zh)
    refused = ", ".join(sorted(set(asked) - allowed))
    if refused:
        own = ", ".join(sorted(allowed))
        zh = f"只能订阅本单位所在区县（{own}）的事件，不能订阅 {refused}"
        en = f"only your unit's county ({own}) may be subscribed to, not {refused}"
        raise HTTPException(403, en if english else zh)
    return sorted(allowed)


class WebhookCreated(BaseModel):
    id: str
    secret: str


def _notify(request: Request) -> Notify:
    return request.app.state.notify  # type: ignore[no-any-return]


def _view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "event_types": row.event_types,
        "counties": row.counties,
        "created_at": row.created_at.isoformat(),
        "suspended": row.suspended_at is not None,
        "suspended_at": row.suspended_at.isoformat() if row.suspended_at else None,
        "failures": row.failures,
    }


@router.post("/webhooks", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated)
async def subscribe(body: WebhookIn, request: Request, caller: Integrator) -> WebhookCreated:
    """Subscribe (integrator role); the answer holds the signing secret, shown only this once.

    Each matching case event is POSTed as its envelope JSON with `X-Zuofeng-Delivery` (the same
    on every retry of that delivery), `X-Zuofeng-Timestamp` (Unix seconds) and
    `X-Zuofeng-Signature: sha256=<hex HMAC-SHA256 with the secret of "timestamp.body">`.
    Any 2xx accepts it; anything else is retried with exponential backoff, and a subscription
    whose deliveries keep failing is suspended until `POST .../resume`. `counties` filter on the
    handling unit's county (the event subject's). An integrator receives only its own unit's
    county (a city-level unit, county 371400, may take every county): empty means that, and
    naming another county answers 403."""
    n = _notify(request)
    problems = _problems(body, production=n.settings.environment == "production")
    if not n.settings.internal_webhooks_allowed and await _internal(body.url.host or ""):
        problems.append(
            (
                ("url",),
                "不允许指向内网、本机或保留地址",
                "the URL resolves to a loopback, private, link-local or reserved address",
            )
        )
    if problems:
        english = wants_english(request)
        detail = [
            {"loc": ["body", *loc], "msg": en if english else zh, "type": "value_error"}
            for loc, zh, en in problems
        ]
        raise HTTPException(422, detail)
    counties = _fenced(n, caller, body.counties, wants_english(request))
    created = WebhookCreated(id=str(uuid.uuid4()), secret=secrets.token_urlsafe(32))
    async with n.db.sessions() as session, session.begin():
        await session.execute(
            insert(webhooks).values(
                id=created.id,
                unit=caller.unit,
                created_by=caller.sub,
                url=str(body.url),
                event_types=sorted(set(body.event_types)),
                counties=counties,
                secret=created.secret,
                created_at=n.clock(),
                failures=0,
            )
        )
        kept = (created.id, str(body.url), counties, sorted(set(body.event_types)))
        await _audit(session, n, caller, "subscribe", *kept)
    return created


@router.get("/webhooks")
async def list_subscriptions(
    request: Request,
    caller: Integrator,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The caller's unit's subscriptions (never their secrets)."""
    mine = select(webhooks).where(webhooks.c.unit == caller.unit, webhooks.c.deleted_at.is_(None))
    async with _notify(request).db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(mine.subquery()))
        page = mine.order_by(webhooks.c.id).limit(limit + 1)
        if cursor:
            page = page.where(webhooks.c.id > cursor)
        rows = (await session.execute(page)).all()
    items = [_view(row) for row in rows[:limit]]
    return {"items": items, "total": total, "next": items[-1]["id"] if len(rows) > limit else None}


@router.delete("/webhooks/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unsubscribe(subscription_id: str, request: Request, caller: Caller) -> Response:
    """Stop deliveries to a subscription; queued ones are dropped."""
    n = _notify(request)
    await _change(request, caller, subscription_id, "unsubscribe", deleted_at=n.clock())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/webhooks/{subscription_id}/resume")
async def resume(subscription_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Lift a suspension once the receiver works again."""
    await _change(request, caller, subscription_id, "resume", suspended_at=None, failures=0)
    async with _notify(request).db.sessions() as session:
        row = (
            await session.execute(select(webhooks).where(webhooks.c.id == subscription_id))
        ).one()
    return _view(row)


async def _change(
    request: Request, caller: Caller, subscription_id: str, action: str, **values: Any
) -> None:
    """Scope first (another unit's subscription is 404), then the role (403); the audit
    record goes out with the change (outbox, same transaction)."""
    theirs = (
        webhooks.c.id == subscription_id,
        webhooks.c.unit == caller.unit,
        webhooks.c.deleted_at.is_(None),
    )
    n = _notify(request)
    async with n.db.sessions() as session, session.begin():
        row = (await session.execute(select(webhooks).where(*theirs))).first()
        if row is None:
            raise HTTPException(404, "no such subscription")
        require_role(caller, "integrator")
        await session.execute(update(webhooks).where(*theirs).values(**values))
        await _audit(session, n, caller, action, row.id, row.url, row.counties, row.event_types)


async def _audit(
    session: Any,
    n: Notify,
    caller: Principal,
    action: str,
    subscription_id: str,
    url: str,
    counties: list[str],
    event_types: list[str],
) -> None:
    """Record who changed which subscription (`audit.webhook_changed` on the AUDIT stream):
    the receiver's host only, never the URL's path or query, nor the secret."""
    record = AuditWebhookChanged(
        **actor(caller),
        subscription_id=subscription_id,
        action=action,  # type: ignore[arg-type]
        counties=list(counties),
        event_types=list(event_types),
        url_host=urlsplit(url).hostname or "",
        changed_at=n.clock(),
    )
    await outbox.add(session, audit_record(record, "notify"))
