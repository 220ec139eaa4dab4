"""Alembic environment of the intake service."""

from alembic import context

from services.intake.models import metadata
from shared.migrate import run_env

run_env(context, metadata)
