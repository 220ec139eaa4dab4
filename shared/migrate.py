"""Alembic per service: each service keeps its revisions in `services/<name>/migrations`.

Migrations run with the service's async driver; from async code call them through
`asyncio.to_thread` (Alembic's commands are synchronous and start their own loop).
"""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared.db import create_engine

SERVICES = ("intake", "cases", "notify", "reporting", "federation")


def alembic_config(service: str, url: str) -> Config:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files(f"services.{service}") / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(service: str, url: str, revision: str = "head") -> None:
    create_engine(url)  # creates the SQLite directory if needed
    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str, revision: str) -> None:
    command.downgrade(alembic_config(service, url), revision)


def revisions(service: str, url: str = "sqlite://") -> list[str]:
    """Revision ids from base to head."""
    script = ScriptDirectory.from_config(alembic_config(service, url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def run_env(context: Any, metadata: MetaData) -> None:
    """The body of every service's `env.py` (online mode only)."""
    asyncio.run(_run_async(context, metadata))


async def _run_async(context: Any, metadata: MetaData) -> None:
    section = context.config.get_section(context.config.config_ini_section, {})
    section["sqlalchemy.url"] = context.config.get_main_option("sqlalchemy.url")
    engine = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_run_sync, context, metadata)
    await engine.dispose()


def _run_sync(conn: Connection, context: Any, metadata: MetaData) -> None:
    # Batch mode lets SQLite alter tables by copy; PostgreSQL alters in place.
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def create_shared_tables_v1(op: Any) -> None:
    """Revision-1 outbox and inbox tables; frozen: later changes get revisions of their own."""
    import sqlalchemy as sa

    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_processed_events"),
    )


def drop_shared_tables_v1(op: Any) -> None:
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_published_at", table_name="outbox")
    op.drop_table("outbox")
