"""The `zuofeng` command: the one composition root allowed to import every service."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from services.catalog import PORTS, settings_class, settings_of
from shared import dlq, migrate
from shared.auth import ROLES, issue_token, parse_ttl
from shared.bus import connect, init_bus
from shared.settings import BaseServiceSettings

app = typer.Typer(help="Zuofeng (作风): run, operate and inspect the system.", no_args_is_help=True)
bus_app = typer.Typer(help="Streams and consumers.", no_args_is_help=True)
dlq_app = typer.Typer(help="The dead-letter stream.", no_args_is_help=True)
app.add_typer(bus_app, name="bus")
app.add_typer(dlq_app, name="dlq")
audit_app = typer.Typer(help="The audit trail of case reads and actions.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
apikey_app = typer.Typer(help="API keys for integrators and clerks' systems.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")
keys_app = typer.Typer(help="Sealing keys of the identity holders (notify, discipline).")
app.add_typer(keys_app, name="keys")
KeysDir = Annotated[
    Path | None, typer.Option(help="where the keys live (default: ZUOFENG_VAR_DIR/keys)")
]


def _add_service_commands() -> None:
    """Each service may bring sub-commands (`services/<name>/cli.py` with a typer `app`)."""
    for service in PORTS:
        try:
            module = importlib.import_module(f"services.{service}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{service}.cli":
                raise
            continue
        app.add_typer(module.app, name=service, help=module.__doc__)


_add_service_commands()


def _settings(service: str = "cli") -> BaseServiceSettings:
    return settings_of(service)


def _safe_settings(service: str) -> BaseServiceSettings:
    """The service's own settings, or exit 2 saying which variables are unsafe (production
    refuses to start with them) - one line per problem, no traceback."""
    try:
        return settings_class(service)()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error.get("loc", ()))
            for problem in str(error.get("msg", "")).removeprefix("Value error, ").split("; "):
                typer.echo(
                    f"zuofeng serve {service}: {field + ': ' if field else ''}{problem}", err=True
                )
        raise typer.Exit(2) from None


@app.command()
def run() -> None:
    """Start NATS and the four services (what `make run` does); Ctrl-C stops everything."""
    from services.launcher import launch

    raise typer.Exit(launch())


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="intake | cases | notify | reporting")],
) -> None:
    """Serve one service with uvicorn on its configured port."""
    import uvicorn

    from shared.observability import configure_logging

    if service not in PORTS:
        typer.echo(f"unknown service {service!r}; one of {', '.join(PORTS)}", err=True)
        raise typer.Exit(2)
    settings = _safe_settings(service)
    configure_logging(settings.log_level)
    _exit_with_launcher()
    uvicorn.run(
        f"services.{service}.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port or settings.default_port,
        log_config=None,
        # Paths carry tracking codes (a reporter's key to their report): no access log. Latency
        # and status per route template are on /metrics.
        access_log=False,
        # uvicorn's default trusts X-Forwarded-For from 127.0.0.1, so any local client could pick
        # its address (and dodge intake's rate limits); a service trusts forwarding headers only
        # from the proxies its own settings name (ZUOFENG_INTAKE_TRUSTED_PROXIES).
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )


def _exit_with_launcher() -> None:
    """Under `make run`, stop when the launcher is gone (even killed with -9): no orphans."""
    parent = int(os.environ.get("ZUOFENG_LAUNCHER_PID", "0"))
    if not parent:
        return

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
                return

    threading.Thread(target=watch, name="launcher-watch", daemon=True).start()


@app.command("migrate")
def migrate_cmd(services: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Apply every service's migrations (or the named ones) to its configured database."""
    for service in services or migrate.SERVICES:
        settings = _settings(service)
        assert settings.database_url is not None
        migrate.upgrade(service, settings.database_url)
        typer.echo(f"{service}: migrated")


async def _with_js(work):  # type: ignore[no-untyped-def]
    nc = await connect(_settings().resolved_nats_url(), "zuofeng-cli")
    try:
        return await work(nc.jetstream())
    finally:
        await nc.close()


@bus_app.command("init")
def bus_init() -> None:
    """Create or update every stream, consumer and bucket (safe to run again); as NATS admin."""
    settings = _settings()

    async def go(js: Any) -> list[str]:
        return await init_bus(js, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)

    for line in asyncio.run(_with_js(go)):
        typer.echo(line)


@dlq_app.command("list")
def dlq_list(
    consumer: Annotated[str | None, typer.Option(help="only this consumer's letters")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show what is in the dead-letter stream, oldest first."""

    letters = asyncio.run(_with_js(lambda js: dlq.list_dead_letters(js, consumer)))
    for letter in letters:
        row = {
            "seq": letter.seq,
            "consumer": letter.consumer,
            "subject": letter.subject,
            "deliveries": letter.deliveries,
            "dead_at": letter.dead_at,
            "error": letter.error,
        }
        typer.echo(
            json.dumps(row, ensure_ascii=False)
            if as_json
            else f"{letter.seq:>6}  {letter.consumer:<20} {letter.subject:<40} {letter.error}"
        )
    if not letters and not as_json:
        typer.echo("the dead-letter stream is empty")


@dlq_app.command("replay")
def dlq_replay(
    consumer: Annotated[str | None, typer.Option(help="only this consumer's letters")] = None,
    seq: Annotated[int | None, typer.Option(help="only this DLQ sequence")] = None,
) -> None:
    """Publish dead letters back to their subjects and remove them from the DLQ."""

    async def go(js: Any) -> int:
        letters = await dlq.list_dead_letters(js, consumer)
        chosen = [x for x in letters if seq is None or x.seq == seq]
        for letter in chosen:
            await dlq.replay(js, letter)
        return len(chosen)

    typer.echo(f"replayed {asyncio.run(_with_js(go))} message(s)")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the keyed hash chain of the cases service's audit trail and compare it with
    the last anchor on the bus; exit 1 where it breaks."""
    from services.cases.cli import audit_verify as check
    from services.cases.settings import CasesSettings

    intact, message = check(CasesSettings())
    if not intact:
        typer.echo(message, err=True)
        raise typer.Exit(1)
    typer.echo(message)


@apikey_app.command("create")
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
    secret = _settings().resolved_apikey_secret()

    async def go(js: Any) -> tuple[str, str, str | None]:
        key_id, key = await apikeys.create(js, unit, role, secret, ttl=lifetime)
        return key_id, key, await _audit_apikey(js, key_id, "create")

    key_id, key, unrecorded = asyncio.run(_with_js(go))
    typer.echo(
        f"id:  {key_id}\nkey: {key}\n(send it as the X-API-Key header; it is not shown again;"
        f" it expires after {ttl})"
    )
    _exit_if_unrecorded(unrecorded)


@apikey_app.command("revoke")
def apikey_revoke(key_id: str) -> None:
    """Revoke a key at once (every service stops accepting it within seconds)."""
    from shared import apikeys

    secret = _settings().resolved_apikey_secret()

    async def go(js: Any) -> tuple[bool, str | None]:
        if not await apikeys.revoke(js, key_id, secret):
            return False, None
        return True, await _audit_apikey(js, key_id, "revoke")

    done, unrecorded = asyncio.run(_with_js(go))
    if not done:
        typer.echo(f"no key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
    _exit_if_unrecorded(unrecorded)


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


@apikey_app.command("list")
def apikey_list() -> None:
    """Keys with their unit, role, state and expiry (never the keys themselves)."""
    from shared import apikeys

    for item in asyncio.run(_with_js(apikeys.list_keys)):
        typer.echo(json.dumps(item, ensure_ascii=False))


def _keys_dir(keys_dir: Path | None) -> Path:
    return keys_dir or _settings().var_dir / "keys"


@keys_app.command("list")
def keys_list(keys_dir: KeysDir = None) -> None:
    """Each holder's key ids: the current one first, then the retired ones still kept."""
    from shared import sealing

    for holder in sealing.HOLDERS:
        ring = sealing.keyring(_keys_dir(keys_dir), holder)
        current = list(ring)[-1]
        retired = [k for k in ring if k != current]
        typer.echo(f"{holder}: current {current}; retired {', '.join(retired) or '-'}")


@keys_app.command("rotate")
def keys_rotate(
    holder: Annotated[str, typer.Argument(help="notify | discipline")], keys_dir: KeysDir = None
) -> None:
    """New key pair for a holder; the old private key is kept to open earlier reports.
    Restart intake to seal new reports to the new public key (until then it seals to the
    retired one, which still opens)."""
    from shared import sealing

    if holder not in sealing.HOLDERS:
        typer.echo(f"unknown holder {holder!r}; one of {', '.join(sealing.HOLDERS)}", err=True)
        raise typer.Exit(2)
    retired, new = sealing.rotate(_keys_dir(keys_dir), holder)
    typer.echo(f"{holder}: retired {retired}, now {new}; restart intake to seal to it")


@app.command()
def token(
    unit: Annotated[str, typer.Option(help="unit id from the directory")],
    role: Annotated[str, typer.Option(help=", ".join(ROLES))],
    sub: Annotated[str, typer.Option(help="who the token is for")] = "local-user",
    ttl: Annotated[str, typer.Option(help="lifetime, e.g. 8h, 30m, 2d")] = "8h",
) -> None:
    """Print a signed token (only the token, on stdout)."""
    from shared.directory import load_directory

    if unit not in load_directory():
        typer.echo(f"unknown unit {unit!r}; see GET /api/v1/units on cases", err=True)
        raise typer.Exit(2)
    try:
        settings = _settings()
        lifetime = parse_ttl(ttl)
        cap = settings.enforced_max_ttl
        if cap is not None and lifetime > cap:
            raise ValueError(f"ttl {ttl} exceeds ZUOFENG_JWT_MAX_TTL ({cap})")
        if not settings.accepts_hs256:
            raise ValueError("HS256 tokens are not accepted here (see ZUOFENG_JWT_ALLOW_HS256)")
        typer.echo(
            issue_token(
                settings.resolved_jwt_secret(),
                unit=unit,
                role=role,
                sub=sub,
                ttl=lifetime,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
            )
        )
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command()
def docs(out: Annotated[Path, typer.Option(help="where to write")] = Path("docs")) -> None:
    """Write the AsyncAPI document of every service and the OpenAPI of every HTTP API."""
    from services.docs import write_docs

    for path in write_docs(out):
        typer.echo(f"wrote {path}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
