"""`zuofeng user`: officials' accounts for the pages' sign-in (kept by cases), each change
recorded on the audit stream; disabling or a new password ends the person's sessions on every
service at once (the bus's SESSIONS bucket)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from services.cli.common import with_js

app = typer.Typer(help="Officials' accounts for signing in to the pages.", no_args_is_help=True)


def _run(work: Any) -> Any:
    """Run `work(ctx)` on cases' database; a refused change exits 2 with the reason."""
    from services.cases.settings import CasesSettings
    from services.cases.signin.accounts import AccountError
    from services.cases.signin.admin import with_context

    try:
        return asyncio.run(with_context(CasesSettings(), work))
    except (AccountError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def _end_sessions(login: str) -> None:
    """End every session of the person now (on the bus); say so if the bus is unreachable."""
    from shared.websession import KvSessionStore

    async def go(js: Any) -> None:
        await KvSessionStore(lambda: js).end_user(f"user:{login}", datetime.now(UTC))

    try:
        asyncio.run(with_js(go))
    except Exception as exc:  # noqa: BLE001 - the change is made; the operator must know
        typer.echo(f"sessions NOT ended (bus unreachable: {exc}); run it again", err=True)
        raise typer.Exit(1) from exc


def _password(from_stdin: bool) -> tuple[str, bool]:
    from services.cases.signin import passwords

    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return passwords.generate(), True


@app.command("add")
def user_add(
    login: Annotated[str, typer.Option(help="the sign-in name, e.g. li.ming")],
    unit: Annotated[str, typer.Option(help="unit id from the directory")],
    role: Annotated[str, typer.Option(help="clerk, officer, leader, supervisor, ...")],
    name: Annotated[str, typer.Option(help="the person's name as pages show it")],
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Add an account; prints a generated password unless one is given on stdin."""
    from services.cases.signin import accounts

    password, generated = _password(password_stdin)
    _run(lambda ctx: accounts.add(ctx, login, unit, role, name, password))
    typer.echo(f"added {login} ({role}, {unit})")
    if generated:
        typer.echo(f"password: {password}  (shown once; ask them to keep it safe)")


@app.command("disable")
def user_disable(login: str) -> None:
    """Disable an account and end its sessions everywhere."""
    from services.cases.signin import accounts

    _run(lambda ctx: accounts.disable(ctx, login))
    _end_sessions(login)
    typer.echo(f"disabled {login}; its sessions are ended")


@app.command("reset-password")
def user_reset_password(
    login: str,
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Set a new password (and unlock); ends the person's sessions everywhere."""
    from services.cases.signin import accounts

    password, generated = _password(password_stdin)
    _run(lambda ctx: accounts.reset_password(ctx, login, password))
    _end_sessions(login)
    typer.echo(f"new password for {login}; its sessions are ended")
    if generated:
        typer.echo(f"password: {password}  (shown once)")


@app.command("totp-reset")
def user_totp_reset(login: str) -> None:
    """Forget the second factor: the person enrols a new one at the next sign-in."""
    from services.cases.signin import accounts

    _run(lambda ctx: accounts.totp_reset(ctx, login))
    _end_sessions(login)
    typer.echo(f"{login} enrols a new second factor at the next sign-in")


@app.command("list")
def user_list() -> None:
    """Accounts with unit, role and state (never a password hash or a secret)."""
    from services.cases.signin import accounts

    for account in _run(accounts.list_all):
        typer.echo(json.dumps(account.listing(), ensure_ascii=False))
