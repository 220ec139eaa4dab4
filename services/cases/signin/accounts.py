"""Accounts' use cases: added, listed, disabled, given a new password or a new second factor
(`zuofeng user`), each change recorded on the audit stream with it. Ending the person's open
sessions is the caller's part (the bus: `WebSessions.store.end_user`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from services.cases.context import Context
from services.cases.signin import audit, passwords
from services.cases.signin.table import accounts
from shared.auth import ROLES, Principal

ACCOUNT_ROLES = tuple(r for r in ROLES if r != "integrator")  # integrators use API keys


class AccountError(ValueError):
    """A change that cannot be made (unknown unit or role, login taken or unknown)."""


@dataclass(frozen=True)
class Account:
    login: str
    display_name: str
    unit: str
    role: str
    password_hash: str | None
    totp_sealed: str | None
    totp_confirmed: bool
    totp_last_step: int
    disabled: bool
    failed_count: int
    locked_until: datetime | None

    @property
    def sub(self) -> str:
        """The sessions' subject: the same person whichever way they sign in."""
        return f"user:{self.login}"

    @property
    def principal(self) -> Principal:
        return Principal(sub=self.sub, unit=self.unit, role=self.role)  # type: ignore[arg-type]

    def listing(self) -> dict[str, Any]:
        """What `zuofeng user list` shows: never the hash or the second factor's secret."""
        return {
            "login": self.login,
            "name": self.display_name,
            "unit": self.unit,
            "role": self.role,
            "disabled": self.disabled,
            "totp": self.totp_confirmed,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


def _account(row: Any) -> Account:
    return Account(**{f: getattr(row, f) for f in Account.__dataclass_fields__})


async def find(ctx: Context, login: str) -> Account | None:
    async with ctx.db.sessions() as session:
        row = (await session.execute(select(accounts).where(accounts.c.login == login))).first()
    return _account(row) if row else None


async def list_all(ctx: Context) -> list[Account]:
    async with ctx.db.sessions() as session:
        rows = (await session.execute(select(accounts).order_by(accounts.c.login))).all()
    return [_account(row) for row in rows]


async def add(ctx: Context, login: str, unit: str, role: str, name: str, password: str) -> Account:
    if not ctx.directory.holds(unit, role):
        raise AccountError(f"unknown unit {unit!r}")
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ACCOUNT_ROLES)}")
    if not login or len(login) > 64 or not login.replace("-", "").replace(".", "").isalnum():
        raise AccountError("a login is letters, digits, '-' and '.', at most 64")
    hashed = passwords.hash_password(password)
    now = ctx.now()
    async with ctx.db.sessions() as session, session.begin():
        taken = await session.execute(select(accounts.c.login).where(accounts.c.login == login))
        if taken.first():
            raise AccountError(f"login {login!r} is taken")
        await session.execute(
            insert(accounts).values(
                login=login, display_name=name, unit=unit, role=role, password_hash=hashed,
                created_at=now, changed_at=now,
            )
        )  # fmt: skip
        await audit.changed(session, login, "add", unit, role, now)
    found = await find(ctx, login)
    assert found is not None
    return found


async def change(ctx: Context, login: str, action: str, **values: Any) -> Account:
    """Apply `values` to the account and record `action`; AccountError when unknown."""
    now = ctx.now()
    async with ctx.db.sessions() as session, session.begin():
        row = (await session.execute(select(accounts).where(accounts.c.login == login))).first()
        if row is None:
            raise AccountError(f"no account {login!r}")
        await session.execute(
            update(accounts).where(accounts.c.login == login).values(changed_at=now, **values)
        )
        await audit.changed(session, login, action, row.unit, row.role, now)
    found = await find(ctx, login)
    assert found is not None
    return found


async def disable(ctx: Context, login: str) -> Account:
    return await change(ctx, login, "disable", disabled=True)


async def reset_password(ctx: Context, login: str, password: str) -> Account:
    hashed = passwords.hash_password(password)
    return await change(
        ctx, login, "reset_password", password_hash=hashed, failed_count=0, locked_until=None
    )


async def totp_reset(ctx: Context, login: str) -> Account:
    """The person enrols a new second factor at their next sign-in."""
    return await change(
        ctx, login, "totp_reset", totp_sealed=None, totp_confirmed=False, totp_last_step=0
    )
