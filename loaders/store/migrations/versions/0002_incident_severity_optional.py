"""Incident severity is optional.

The incidents dataset marks ``muc_do`` (severity) as optional: commune
reports often leave it blank for incidents not yet classified. A NOT NULL
column would make every such valid row fail at commit, after validation
accepted it.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("severity", existing_type=sa.String(40), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("severity", existing_type=sa.String(40), nullable=False)
