"""`zuofeng apikey`: integrators' and clerks' keys created, revoked and listed, each change
recorded on the audit stream."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from services.cli.common import settings, with_js
from shared.auth import parse_ttl

app = typer.Typer(help="API keys for integrators and clerks' systems.", no_args_is_help=True)


@app.command("create")
def apikey_create(
    unit: Annotated[str, typer.Option(help="unit id from the directory")],
    role: Annotated[str, typer.Option(help="integrator or clerk")],
    ttl: Annotated[str, typer.Option(help="lifetime, e.g. 365d, 90d, 12h")] = "365d",
) -> None:
    """Create a key; prints its id and the key (shown once, stored only hashed, signed).
    Writes to the bus's API_KEYS bucket: run it as the NATS admin user."""
    from shared import apikeys
    from shared.directory import load_directory

    if unit not in load_directory() or role not in apikeys.ROLES:
        typer.echo(
            f"unknown unit {unit!r}, or role {role!r} is not one of {', '.join(apikeys.ROLES)}",
            err=True,
        )
        raise typer.Exit(2)
    try:
        lifetime = parse_ttl(ttl)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    secret = settings().resolved_apikey_secret()

    async def go(js: Any) -> tuple[str, str, str | None]:
        key_id, key = await apikeys.create(js, unit, role, secret, ttl=lifetime)
        return key_id, key, await _audit_apikey(js, key_id, "create")

    key_id, key, unrecorded = asyncio.run(with_js(go))
    typer.echo(
        f"id:  {key_id}\nkey: {key}\n(send it as the X-API-Key header; it is not shown again;"
        f" it expires after {ttl})"
    )
    _exit_if_unrecorded(unrecorded)


@app.command("revoke")
def apikey_revoke(key_id: str) -> None:
    """Revoke a key at once (every service stops accepting it within seconds)."""
    from shared import apikeys

    secret = settings().resolved_apikey_secret()

    async def go(js: Any) -> tuple[bool, str | None]:
        if not await apikeys.revoke(js, key_id, secret):
            return False, None
        return True, await _audit_apikey(js, key_id, "revoke")

    done, unrecorded = asyncio.run(with_js(go))
    if not done:
        typer.echo(f"no key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
    _exit_if_unrecorded(unrecorded)


@app.command("list")
def apikey_list() -> None:
    """Keys with their unit, role, state and expiry (never the keys themselves)."""
    from shared import apikeys

    for item in asyncio.run(with_js(apikeys.list_keys)):
        typer.echo(json.dumps(item, ensure_ascii=False))


def _exit_if_unrecorded(problem: str | None) -> None:
    """The change is made (a new key still shown, since it cannot be shown again), but its
    audit record is missing: say so and exit 1, so the operator runs `zuofeng bus init` and
    records it by hand."""
    if problem is not None:
        typer.echo(f"the audit record was not published ({problem})", err=True)
        raise typer.Exit(1)


async def _audit_apikey(js: Any, key_id: str, action: str) -> str | None:
    """Record the change on the AUDIT stream (`audit.apikey_changed`): id, unit, role, expiry,
    never the key. No database here, so it is published at once and its PubAck awaited (with
    `Nats-Msg-Id`). Returns why it failed, or None."""
    from datetime import UTC, datetime

    from shared import apikeys
    from shared.bus import publish_envelope
    from shared.dlq import describe_error
    from shared.events.audit import AuditApiKeyChanged, audit_record

    stored = json.loads((await (await apikeys.ensure_bucket(js)).get(key_id)).value)
    expires = stored.get("expires_at")
    record = AuditApiKeyChanged(
        key_id=key_id,
        action=action,  # type: ignore[arg-type]
        unit=stored["unit"],
        role=stored["role"],
        expires_at=datetime.fromisoformat(expires) if expires else None,
        changed_at=datetime.now(UTC),
    )
    try:
        await publish_envelope(js, audit_record(record, "cli"))
    except Exception as exc:  # noqa: BLE001 - reported, after the key is shown
        return describe_error(exc)
    return None
