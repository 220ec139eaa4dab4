"""The sign-in checks: a password (with lockout and the per-address limit), then a second
factor for the roles that need one (enrolled on first sign-in). Every outcome is audited in the
same transaction as the account's counters. Unknown logins cost a full password check and get
the same answer as a wrong password."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import update

from services.cases.context import Context
from services.cases.signin import accounts, audit, lockout, passwords, totp
from services.cases.signin.accounts import Account
from services.cases.signin.table import accounts as table
from shared.errors import Refusal

WRONG = Refusal.invalid(("body", "password"), "登录名或密码不正确", "wrong login or password")
LOCKED = Refusal(
    429, "尝试次数过多，账号已暂时锁定，请稍后再试",
    "too many failed attempts: the account is locked for a while; try later",
    loc=("body", "password"),
)  # fmt: skip
SLOWED = Refusal(
    429, "本地址尝试次数过多，请稍后再试", "too many failed attempts from this address; try later",
    loc=("body", "password"),
)  # fmt: skip
BAD_CODE = Refusal.invalid(("body", "code"), "验证码不正确或已使用", "wrong or already used code")


@dataclass(frozen=True)
class Passed:
    account: Account
    needs_totp: bool


def policy(ctx: Context) -> lockout.Policy:
    s = ctx.settings
    return lockout.Policy(
        max_failures=s.signin_max_failures,
        lock_for=timedelta(minutes=s.signin_lock_minutes),
        address_failures=s.signin_address_failures,
        address_window=timedelta(minutes=s.signin_address_window_minutes),
    )


def needs_totp(account: Account) -> bool:
    return account.role in totp.REQUIRED_FOR or account.totp_confirmed


async def _failed(ctx: Context, account: Account | None, login: str, reason: str,
                  method: str = "password") -> Refusal:  # fmt: skip
    """Count the failure (the lock after too many) and record it; the refusal to show."""
    now = ctx.now()
    outcome, refusal = "failed", WRONG
    async with ctx.db.sessions() as session, session.begin():
        if account is not None and reason in ("password", "totp"):
            count, until = lockout.after_failure(account.failed_count, now, policy(ctx))
            await session.execute(
                update(table).where(table.c.login == account.login)
                .values(failed_count=count, locked_until=until or account.locked_until)
            )  # fmt: skip
            if until is not None:
                outcome, refusal = "locked", LOCKED
        unit, role = (account.unit, account.role) if account else ("", "")
        await audit.signin(session, login, outcome, method, now, unit=unit, role=role,
                           reason=reason)  # fmt: skip
    return replace(refusal)  # a fresh exception each time (tracebacks attach to it)


async def check_password(
    ctx: Context, limiter: lockout.AddressLimiter, address: str, login: str, password: str
) -> Passed:
    """The account when the password is right and it may sign in; else a Refusal."""
    now = ctx.now()
    if limiter.blocked(address, now):
        await _failed(ctx, None, login, "address")
        raise replace(SLOWED)
    account = await accounts.find(ctx, login) if login else None
    right = passwords.verify(account.password_hash if account else None, password)
    if account is None or not right or account.disabled:
        limiter.failed(address, now)
    if account is not None and lockout.locked(account.locked_until, now):
        await _failed(ctx, account, login, "locked")
        raise replace(LOCKED)
    if account is None or account.disabled:
        raise await _failed(ctx, account, login, "disabled" if account else "unknown")
    if not right:
        raise await _failed(ctx, account, login, "password")
    if account.password_hash and passwords.needs_rehash(account.password_hash):
        await accounts.change(ctx, login, "reset_password",
                              password_hash=passwords.hash_password(password))  # fmt: skip
    return Passed(account, needs_totp(account))


async def signed_in(ctx: Context, account: Account, method: str, **values: object) -> None:
    """Clear the failure count (and store `values`), and record the sign-in."""
    now = ctx.now()
    async with ctx.db.sessions() as session, session.begin():
        await session.execute(
            update(table).where(table.c.login == account.login)
            .values(failed_count=0, locked_until=None, **values)
        )  # fmt: skip
        await audit.signin(session, account.login, "signed_in", method, now,
                           unit=account.unit, role=account.role)  # fmt: skip
        if values.get("totp_confirmed") and not account.totp_confirmed:
            await audit.changed(session, account.login, "totp_enrolled", account.unit,
                                account.role, now)  # fmt: skip


async def enrolment_secret(ctx: Context, account: Account) -> str:
    """The not yet confirmed secret of an enrolment, made and stored (sealed) on first use."""
    key = ctx.settings.resolved_session_secret()
    if account.totp_sealed and not account.totp_confirmed:
        found = totp.unseal(key, account.totp_sealed)
        if found:
            return found
    secret = totp.new_secret()
    async with ctx.db.sessions() as session, session.begin():
        await session.execute(
            update(table).where(table.c.login == account.login)
            .values(totp_sealed=totp.seal(key, secret), totp_confirmed=False, totp_last_step=0)
        )  # fmt: skip
    return secret


async def check_code(ctx: Context, login: str, code: str) -> Account:
    """The second step: the code for the account's (enrolled or enrolling) secret."""
    account = await accounts.find(ctx, login)
    if account is None or account.disabled or not account.totp_sealed:
        raise await _failed(ctx, account, login, "totp", "password+totp")
    if lockout.locked(account.locked_until, ctx.now()):
        raise replace(LOCKED)
    secret = totp.unseal(ctx.settings.resolved_session_secret(), account.totp_sealed)
    step = totp.matching_step(secret, code, ctx.now(), account.totp_last_step) if secret else None
    if step is None:
        refusal = await _failed(ctx, account, login, "totp", "password+totp")
        raise replace(BAD_CODE) if refusal.status == 422 else refusal
    await signed_in(ctx, account, "password+totp", totp_confirmed=True, totp_last_step=step)
    return account
