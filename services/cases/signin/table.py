"""The accounts table (cases_0006): who may sign in to the pages, as whom."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Integer, String, Table, Text, false

from services.cases.models import metadata
from shared.db import UtcDateTime

accounts = Table(
    "accounts",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", Text),  # argon2id; NULL: no password (an OIDC-only account)
    Column("totp_sealed", Text),  # the second factor's secret, encrypted (totp.seal)
    Column("totp_confirmed", Boolean, nullable=False, server_default=false()),
    # The last time step a code was accepted for: a code is good once (no replay).
    Column("totp_last_step", BigInteger, nullable=False, server_default="0"),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("failed_count", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)
