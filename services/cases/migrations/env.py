"""Alembic environment of the cases service."""

from alembic import context

from services.cases.models import metadata
from shared.migrate import run_env

run_env(context, metadata)
