"""Alembic environment of the federation service."""

from alembic import context

from services.federation.models import metadata
from shared.migrate import run_env

run_env(context, metadata)
