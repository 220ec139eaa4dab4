"""The dashboard's sign-in sessions (issue 15.16): `/login` checks the pasted token once and
opens a session; the cookie carries only the session's random id, so a stolen cookie is not an
API token, and signing out ends the session on the server. Only the id's SHA-256 is stored.

A session lasts `session_hours` at most and never beyond the token's own `exp`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import delete, insert, select

from services.reporting.models import dashboard_sessions
from shared.auth import Principal
from shared.db import Database


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def token_expiry(token: str) -> datetime | None:
    """The `exp` of a token already verified (its signature was checked by the caller)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None


async def open_session(
    db: Database, caller: Principal, token: str, now: datetime, hours: float
) -> tuple[str, datetime]:
    """A new session for `caller`: (the id for the cookie, when it expires)."""
    expires = now + timedelta(hours=hours)
    if (exp := token_expiry(token)) is not None:
        expires = min(expires, exp)
    session_id = secrets.token_urlsafe(32)
    async with db.sessions() as session, session.begin():
        # Expired sessions go as new ones come: the table stays as small as the signed-in.
        await session.execute(
            delete(dashboard_sessions).where(dashboard_sessions.c.expires_at <= now)
        )
        await session.execute(
            insert(dashboard_sessions).values(
                id_hash=_hash(session_id),
                sub=caller.sub,
                unit=caller.unit,
                role=caller.role,
                created_at=now,
                expires_at=expires,
            )
        )
    return session_id, expires


async def session_caller(db: Database, session_id: str, now: datetime) -> Principal | None:
    """Who a live session stands for; None when unknown or expired."""
    if not session_id or len(session_id) > 100:
        return None
    query = select(dashboard_sessions).where(
        dashboard_sessions.c.id_hash == _hash(session_id), dashboard_sessions.c.expires_at > now
    )
    async with db.sessions() as session:
        row = (await session.execute(query)).mappings().first()
    if row is None:
        return None
    return Principal(sub=row["sub"], unit=row["unit"], role=row["role"])


async def close_session(db: Database, session_id: str) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(
            delete(dashboard_sessions).where(dashboard_sessions.c.id_hash == _hash(session_id))
        )
