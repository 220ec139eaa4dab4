"""Password accounts for every role: `accounts.role` was 16 characters, one less than the
Women's Federation's `federation_officer` (issue 23); 32 holds every role name.

Revision ID: cases_account_roles
Revises: cases_closing_loop
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_account_roles"
down_revision = "cases_closing_loop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("role", type_=sa.String(32), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("role", type_=sa.String(16), existing_nullable=False)
